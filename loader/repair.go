package loader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"github.com/synctrack/synctrack/warehouse"
)

// Repair writes a copy of f's staged file in which every string value that
// is not valid UTF-8 has its bad bytes replaced by U+FFFD, and returns f
// reading that copy, with a note of how many values changed (its ledger row
// keeps it). Engines refuse a whole file for one such value; repairing keeps
// its good rows, and its bad ones as close to written as text allows. It
// reads and writes one row group at a time, so memory does not grow with
// the file.
func (s *Stager) Repair(ctx context.Context, f warehouse.File) (warehouse.File, int, error) {
	if s == nil || f.Local == "" {
		return f, 0, errors.New("no staged copy to repair")
	}
	in, err := os.Open(f.Local)
	if err != nil {
		return f, 0, err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return f, 0, err
	}
	pf, err := parquet.OpenFile(in, st.Size())
	if err != nil {
		return f, 0, err
	}
	dst := s.name()
	out, err := os.Create(dst)
	if err != nil {
		return f, 0, err
	}
	n, err := rewriteText(ctx, pf, out)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		return f, 0, err
	}
	f.Local = dst
	f.Note = fmt.Sprintf("repaired %d string values that were not valid UTF-8 (bad bytes replaced by U+FFFD)", n)
	return f, n, nil
}

// rewriteText copies pf to w, repairing its text columns, and counts the
// values it changed.
func rewriteText(ctx context.Context, pf *parquet.File, w io.Writer) (int, error) {
	schema := pf.Schema()
	text := map[int]bool{}
	for _, path := range schema.Columns() {
		leaf, ok := schema.Lookup(path...)
		if ok && isText(leaf.Node) {
			text[leaf.ColumnIndex] = true
		}
	}
	pw := parquet.NewWriter(w, schema)
	buf := make([]parquet.Row, 512)
	repaired := 0
	for _, rg := range pf.RowGroups() {
		rows := rg.Rows()
		for {
			if err := ctx.Err(); err != nil {
				rows.Close()
				return 0, err
			}
			k, err := rows.ReadRows(buf)
			for _, row := range buf[:k] {
				for j, v := range row {
					if v.Kind() != parquet.ByteArray || !text[v.Column()] || v.IsNull() || utf8.Valid(v.ByteArray()) {
						continue
					}
					fixed := []byte(string([]rune(string(v.ByteArray()))))
					row[j] = parquet.ByteArrayValue(fixed).Level(v.RepetitionLevel(), v.DefinitionLevel(), v.Column())
					repaired++
				}
			}
			if _, werr := pw.WriteRows(buf[:k]); werr != nil {
				rows.Close()
				return 0, werr
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rows.Close()
				return 0, err
			}
		}
		rows.Close()
	}
	return repaired, pw.Close()
}

// isText says whether a column holds text an engine checks for UTF-8.
func isText(n parquet.Node) bool {
	if lt := n.Type().LogicalType(); lt != nil {
		switch lt.Value.(type) {
		case *format.StringType, *format.JsonType, *format.EnumType:
			return true
		}
	}
	ct := n.Type().ConvertedType()
	return ct != nil && (*ct == deprecated.UTF8 || *ct == deprecated.Json || *ct == deprecated.Enum)
}
