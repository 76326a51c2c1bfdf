package loader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
//
// A file the warehouse read from the bucket itself (no staged copy: a
// warehouse.LocalCopies engine) is read from the bucket first.
func (s *Stager) Repair(ctx context.Context, f warehouse.File) (warehouse.File, int, error) {
	pf, done, err := s.open(ctx, f)
	if err != nil {
		return f, 0, err
	}
	defer done()
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
	f.Local, f.Prepared = dst, nil // prepared from the file it replaces
	f.Note = repairNote(n)
	return f, n, nil
}

// Count returns f marked for its engine to repair (File.ReplaceBadText,
// for a warehouse.TextReplacer), with the note of how many string values
// are not valid UTF-8: what the engine will replace. It reads the file one
// row group at a time and writes nothing.
func (s *Stager) Count(ctx context.Context, f warehouse.File) (warehouse.File, int, error) {
	pf, done, err := s.open(ctx, f)
	if err != nil {
		return f, 0, err
	}
	defer done()
	n, err := rewriteText(ctx, pf, io.Discard)
	if err != nil {
		return f, 0, err
	}
	f.ReplaceBadText = true
	f.Note = repairNote(n)
	return f, n, nil
}

func repairNote(n int) string {
	return fmt.Sprintf("repaired %d string values that were not valid UTF-8 (bad bytes replaced by U+FFFD)", n)
}

// open opens f's bytes as parquet: its staged copy, the file of a file://
// bucket, or a download made for this (removed by done).
func (s *Stager) open(ctx context.Context, f warehouse.File) (*parquet.File, func(), error) {
	if s == nil {
		return nil, nil, errors.New("no staging area to repair in")
	}
	src, tmp := f.Local, ""
	switch {
	case src != "":
	case s.Root != "":
		src = filepath.Join(s.Root, filepath.FromSlash(f.Key))
	default:
		tmp = s.name()
		src = tmp
		if err := s.download(ctx, f.Key, tmp, f.Size); err != nil {
			os.Remove(tmp)
			return nil, nil, BucketError(fmt.Errorf("read %s to repair it: %w", f.Key, err))
		}
	}
	in, err := os.Open(src)
	if err == nil {
		var st os.FileInfo
		if st, err = in.Stat(); err == nil {
			var pf *parquet.File
			// The copy reads rows in order: no page index.
			if pf, err = warehouse.OpenParquet(in, st.Size()); err == nil {
				// The repair reads every page with parquet-go, which
				// allocates what their headers claim: check them first.
				if err = warehouse.CheckPages(in, st.Size(), pf); err == nil {
					return pf, func() { in.Close(); removeIf(tmp) }, nil
				}
			}
		}
		in.Close()
	}
	removeIf(tmp)
	return nil, nil, err
}

func removeIf(path string) {
	if path != "" {
		os.Remove(path)
	}
}

// rewriteText copies pf to w, repairing its text columns, and counts the
// values it changed.
func rewriteText(ctx context.Context, pf *parquet.File, w io.Writer) (n int, err error) {
	// The file is the bucket's: parquet-go panicking on its pages is the
	// file's error, not the end of the process.
	err = warehouse.ReadParquet(func() error {
		var err error
		n, err = copyRepairing(ctx, pf, w)
		return err
	})
	return n, err
}

// copyRepairing is rewriteText's work.
func copyRepairing(ctx context.Context, pf *parquet.File, w io.Writer) (int, error) {
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
