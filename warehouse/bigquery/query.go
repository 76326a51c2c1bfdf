package bigquery

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"time"

	"cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"

	"github.com/synctrack/synctrack/warehouse"
)

// Rows is a query's result read one row at a time, shaped like database/sql's
// Rows (Columns, Next, Scan, Err, Close) so the exporters take either. Values
// are plain Go: int64, float64, bool, string, []byte, time.Time (TIMESTAMP in
// UTC; DATE and DATETIME as UTC instants), NUMERIC as decimal text, arrays
// and structs as []any and map[string]any, NULL as nil.
type Rows struct {
	it      *bigquery.RowIterator
	cancel  context.CancelFunc
	row     []bigquery.Value
	pending bool // row holds the first row, read to learn the schema
	err     error
	done    bool
}

// Query runs one read-only query with named parameters (@name in the SQL):
// string, time.Time and int values become STRING, TIMESTAMP and INT64
// parameters. Values never become SQL text. Close the Rows when done.
func (w *Warehouse) Query(ctx context.Context, sql string, args []warehouse.Arg) (warehouse.Rows, error) {
	ctx, cancel := context.WithTimeout(ctx, w.c.JobTimeout)
	w.log.Debug("query", "sql", sql)
	q, err := w.job(sql, args)
	if err != nil {
		cancel()
		return nil, err
	}
	w.count(func(s *Stats) { s.Queries++ })
	it, err := q.Read(ctx)
	if err != nil {
		cancel()
		return nil, classify(err)
	}
	r := &Rows{it: it, cancel: cancel}
	// The iterator learns the schema with its first page: read one row now so
	// Columns answers before Next.
	switch err := it.Next(&r.row); {
	case errors.Is(err, errDone):
		r.done = true
	case err != nil:
		cancel()
		return nil, classify(err)
	default:
		r.pending = true
	}
	return r, nil
}

// Columns returns the result's column names.
func (r *Rows) Columns() ([]string, error) {
	out := make([]string, len(r.it.Schema))
	for i, f := range r.it.Schema {
		out[i] = f.Name
	}
	return out, nil
}

// ColumnTypeNames returns each column's BigQuery type (INTEGER, FLOAT,
// TIMESTAMP, ...); a repeated column is ARRAY<type>.
func (r *Rows) ColumnTypeNames() []string {
	out := make([]string, len(r.it.Schema))
	for i, f := range r.it.Schema {
		out[i] = string(f.Type)
		if f.Repeated {
			out[i] = "ARRAY<" + out[i] + ">"
		}
	}
	return out
}

// Next advances to the next row; false at the end or on an error (see Err).
func (r *Rows) Next() bool {
	if r.pending {
		r.pending = false
		return true
	}
	if r.done || r.err != nil {
		return false
	}
	r.row = nil
	err := r.it.Next(&r.row)
	if errors.Is(err, errDone) {
		r.done = true
		return false
	}
	if err != nil {
		r.err = classify(err)
		return false
	}
	return true
}

// Scan copies the current row into dest, which must be *any, one per column.
func (r *Rows) Scan(dest ...any) error {
	if len(dest) != len(r.row) {
		return fmt.Errorf("scan: %d destinations for %d columns", len(dest), len(r.row))
	}
	for i, d := range dest {
		p, ok := d.(*any)
		if !ok {
			return fmt.Errorf("scan: destination %d is %T, want *any", i, d)
		}
		*p = plain(r.row[i])
	}
	return nil
}

// Err is the error that ended Next, if any.
func (r *Rows) Err() error { return r.err }

// Close ends the query's context.
func (r *Rows) Close() error {
	r.cancel()
	return nil
}

// plain turns a client value into the Go value the exporters know.
func plain(v bigquery.Value) any {
	switch x := v.(type) {
	case nil, string, int64, float64, bool, []byte:
		return x
	case time.Time:
		return x.UTC()
	case civil.Date:
		return x.In(time.UTC)
	case civil.DateTime:
		return x.In(time.UTC)
	case civil.Time:
		return x.String()
	case *big.Rat:
		return bigquery.NumericString(x)
	case []bigquery.Value:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case map[string]bigquery.Value:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plain(e)
		}
		return out
	case fmt.Stringer:
		return x.String()
	}
	return v
}

// job makes a query job of sql with args as named parameters (@name):
// string, int, float, bool and time.Time values, sorted by name.
func (w *Warehouse) job(sql string, args []warehouse.Arg) (*bigquery.Query, error) {
	q := w.client.Query(sql)
	sorted := append([]warehouse.Arg(nil), args...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, a := range sorted {
		v := a.Value
		switch x := v.(type) {
		case string, int64, float64, bool:
		case int:
			v = int64(x)
		case time.Time:
			v = x.UTC()
		default:
			return nil, fmt.Errorf("query parameter %s: unsupported type %T", a.Name, v)
		}
		q.Parameters = append(q.Parameters, bigquery.QueryParameter{Name: a.Name, Value: v})
	}
	return q, nil
}
