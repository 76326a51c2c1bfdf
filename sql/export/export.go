// Package export streams query results as a table, CSV, JSON or parquet, one
// row at a time: a large record export never sits in memory whole.
package export

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Column is a result column: its name and the engine's type name.
type Column struct{ Name, Type string }

// Writer receives one result set. Stream gives Begin columns of unique
// names (uniqueNames).
type Writer interface {
	Begin(cols []Column) error
	Row(vals []any) error
	Close() error
}

// Formats lists the format names New accepts.
var Formats = []string{"table", "csv", "json", "parquet"}

// New returns the writer for a format name.
func New(format string, w io.Writer) (Writer, error) {
	switch format {
	case "table":
		return &tableWriter{w: w}, nil
	case "csv":
		return &csvWriter{w: csv.NewWriter(w)}, nil
	case "json":
		return &jsonWriter{w: w}, nil
	case "parquet":
		return &parquetWriter{out: w}, nil
	}
	return nil, fmt.Errorf("format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// Rows is a result read one row at a time: *sql.Rows is one, and so is the
// BigQuery warehouse's query result. Scan is given one *any per column.
type Rows interface {
	Columns() ([]string, error)
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// columns names the result's columns with their engine types: from
// database/sql's ColumnTypes, or a source's ColumnTypeNames (BigQuery).
func columns(rs Rows) ([]Column, error) {
	if r, ok := rs.(interface {
		ColumnTypes() ([]*sql.ColumnType, error)
	}); ok {
		types, err := r.ColumnTypes()
		if err != nil {
			return nil, err
		}
		cols := make([]Column, len(types))
		for i, t := range types {
			cols[i] = Column{t.Name(), t.DatabaseTypeName()}
		}
		return cols, nil
	}
	names, err := rs.Columns()
	if err != nil {
		return nil, err
	}
	var types []string
	if r, ok := rs.(interface{ ColumnTypeNames() []string }); ok {
		types = r.ColumnTypeNames()
	}
	cols := make([]Column, len(names))
	for i, n := range names {
		cols[i].Name = n
		if i < len(types) {
			cols[i].Type = types[i]
		}
	}
	return cols, nil
}

// Stream writes every row of rs to w and closes w. It returns the row count.
func Stream(rs Rows, w Writer) (int64, error) {
	cols, err := columns(rs)
	if err != nil {
		return 0, err
	}
	uniqueNames(cols)
	// A statement can fail when its first row is asked for (PostgreSQL's
	// do): then nothing is written, not a header or an opening bracket.
	more := rs.Next()
	if err := rs.Err(); !more && err != nil {
		return 0, err
	}
	if err := w.Begin(cols); err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for ; more; more = rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return n, err
		}
		if err := w.Row(vals); err != nil {
			return n, err
		}
		n++
	}
	if err := rs.Err(); err != nil {
		return n, err
	}
	return n, w.Close()
}

// uniqueNames renames each column whose name an earlier one has: name_2,
// or the first of name_3, name_4, ... that no column of the result has, so
// that no column takes another's name. Every format then has one name per
// column: JSON wrote two "a" keys for select 1 AS a, 2 AS a (a reader
// keeps one value), parquet refused the export, CSV's header and the
// table's did not say which was which.
func uniqueNames(cols []Column) {
	taken := make(map[string]bool, len(cols))
	for _, c := range cols {
		taken[c.Name] = true
	}
	seen := make(map[string]bool, len(cols))
	for i, c := range cols {
		if !seen[c.Name] {
			seen[c.Name] = true
			continue
		}
		for n := 2; ; n++ {
			if name := c.Name + "_" + strconv.Itoa(n); !taken[name] {
				cols[i].Name, taken[name] = name, true
				break
			}
		}
	}
}

// Text renders a value as text: "" for NULL, RFC 3339 for instants, JSON for
// lists, maps and JSON values, DuckDB's own text for its DECIMAL, INTERVAL
// and UUID values. Without the column's type a DATE prints as an instant
// and a UUID in a list as bytes; the writers pass the type (see plain).
func Text(v any) string { return text(plain(v, nil)) }

// text renders a value plain has seen.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case *big.Int:
		return x.String()
	case []any, map[string]any, object:
		b, err := marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

// marshal is json.Marshal without HTML escaping: fingerprints hold <n> and <id>.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// types reads each column's type name once, for plain.
func types(cols []Column) []*colType {
	ts := make([]*colType, len(cols))
	for i, c := range cols {
		ts[i] = parseType(c.Type)
	}
	return ts
}

type csvWriter struct {
	w     *csv.Writer
	types []*colType
}

func (c *csvWriter) Begin(cols []Column) error {
	c.types = types(cols)
	names := make([]string, len(cols))
	for i, col := range cols {
		names[i] = col.Name
	}
	return c.w.Write(names)
}

func (c *csvWriter) Row(vals []any) error {
	rec := make([]string, len(vals))
	for i, v := range vals {
		rec[i] = text(plain(v, c.types[i]))
	}
	return c.w.Write(rec)
}

func (c *csvWriter) Close() error { c.w.Flush(); return c.w.Error() }
