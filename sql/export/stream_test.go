package export

import (
	"bytes"
	"errors"
	"testing"
)

// failingRows is a result whose statement fails when its first row is asked
// for, as PostgreSQL's does (a division by zero, a write refused in a
// read-only transaction): the columns are known, the rows never come.
type failingRows struct{ err error }

func (r failingRows) Columns() ([]string, error) { return []string{"x"}, nil }
func (r failingRows) Next() bool                 { return false }
func (r failingRows) Scan(...any) error          { return errors.New("no row") }
func (r failingRows) Err() error                 { return r.err }

// A statement that fails before its first row writes nothing, in any
// format: on PostgreSQL synctrack query printed a lone "[" (JSON) or an
// empty line (table) before the error, where DuckDB, which fails before
// the columns, printed nothing.
func TestStreamFailingBeforeTheFirstRowWritesNothing(t *testing.T) {
	boom := errors.New("boom")
	for _, format := range Formats {
		var b bytes.Buffer
		w, err := New(format, &b)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Stream(failingRows{boom}, w); !errors.Is(err, boom) {
			t.Errorf("%s: Stream says %v, want the statement's error", format, err)
		}
		if b.Len() > 0 {
			t.Errorf("%s: wrote %q before the error", format, b.String())
		}
	}
}
