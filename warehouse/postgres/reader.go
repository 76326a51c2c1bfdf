package postgres

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/warehouse"
)

// parquetFile reads one staged parquet file row group by row group, a few
// hundred rows at a time, so memory stays bounded whatever the file's
// size. Values are addressed by leaf column; top-level columns that are not
// leaves (lists, structs) are left out.
type parquetFile struct {
	fh     *os.File
	pf     *parquet.File
	names  []string   // top-level column names, lower case, by leaf index ("" for nested)
	orig   []string   // the same names as written
	types  []leafType // by leaf index
	groups []parquet.RowGroup
	group  int
	rows   parquet.Rows
	buf    []parquet.Row
	n, at  int             // rows in buf, next row
	row    []parquet.Value // the current row, by leaf index
	err    error
}

const readRows = 256

func openParquet(path string) (*parquetFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	pf, err := warehouse.OpenParquet(fh, st.Size())
	if err == nil {
		// parquet-go allocates what a page header claims before it reads
		// the page: the rows are read in this process.
		err = warehouse.CheckPages(fh, st.Size(), pf)
	}
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("not a readable parquet file: %w", err)
	}
	p := &parquetFile{fh: fh, pf: pf, groups: pf.RowGroups(), buf: make([]parquet.Row, readRows)}
	// The schema is the file's too: parquet-go panics on a leaf annotated
	// LIST or MAP (a group's Kind), and this runs in pgconn's COPY
	// goroutine, where a panic ends the process.
	if err := warehouse.ReadParquet(p.readSchema); err != nil {
		fh.Close()
		return nil, fmt.Errorf("not a readable parquet file: %w", err)
	}
	return p, nil
}

// maxDecimalScale is the largest DECIMAL scale a file may declare: far
// above any writer's (Arrow's decimal256 has 76 digits), where a scale of
// 2^31-1 made every value's text 10^(2^31-1) to compute, a load that never
// ended.
const maxDecimalScale = 1000

// readSchema sets the columns' names and types.
func (p *parquetFile) readSchema() error {
	for _, f := range p.pf.Schema().Fields() {
		leaves := warehouse.LeafCount(f)
		// A nested column (list, map, struct) is left out: its leaves get
		// no name, and no type (parquet-go panics on a group's Kind).
		name, lt := "", leafType{scale: -1}
		if f.Leaf() {
			name, lt = strings.ToLower(f.Name()), leafTypeOf(f)
			if lt.scale > maxDecimalScale {
				return fmt.Errorf("column %q: DECIMAL scale %d (at most %d)", f.Name(), lt.scale, maxDecimalScale)
			}
		}
		for range leaves {
			p.names = append(p.names, name)
			p.orig = append(p.orig, f.Name())
			p.types = append(p.types, lt)
		}
	}
	p.row = make([]parquet.Value, len(p.names))
	return nil
}

// column is the leaf index of the top-level column name (lower case), -1 if
// the file has none; the first of names differing only in case wins.
func (p *parquetFile) column(name string) int {
	for i, n := range p.names {
		if n == name {
			return i
		}
	}
	return -1
}

// next moves to the next row, false at the end or on error (p.err).
func (p *parquetFile) next() bool {
	for p.at >= p.n {
		if !p.fill() {
			return false
		}
	}
	for i := range p.row {
		p.row[i] = parquet.Value{}
	}
	for _, v := range p.buf[p.at] {
		if c := v.Column(); c >= 0 && c < len(p.row) && p.names[c] != "" {
			p.row[c] = v
		}
	}
	p.at++
	return true
}

// fill reads the next rows into buf, opening the next row group as needed.
func (p *parquetFile) fill() bool {
	for {
		if p.rows == nil {
			if p.group >= len(p.groups) {
				return false
			}
			g := p.groups[p.group]
			p.group++
			if err := warehouse.ReadParquet(func() error { p.rows = g.Rows(); return nil }); err != nil {
				p.err = err
				return false
			}
		}
		var n int
		err := warehouse.ReadParquet(func() (err error) {
			n, err = p.rows.ReadRows(p.buf)
			return err
		})
		p.n, p.at = n, 0
		if err != nil && !errors.Is(err, io.EOF) {
			p.err = err
			return false
		}
		if errors.Is(err, io.EOF) {
			p.rows.Close()
			p.rows = nil
		}
		if n > 0 {
			return true
		}
	}
}

func (p *parquetFile) close() {
	if p.rows != nil {
		p.rows.Close()
	}
	p.fh.Close()
}
