// Package reportrun runs one analysis template on a warehouse and streams its
// rows to an exporter: what synctrack report and records share. DuckDB and
// Snowflake answer through database/sql; BigQuery through its own client,
// with the template's parameters as named query parameters.
package reportrun

import (
	"context"
	"database/sql"
	"fmt"

	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse/bigquery"
)

// SQLWarehouse is a warehouse that answers SQL through database/sql.
type SQLWarehouse interface {
	DB() *sql.DB
	Schema() string
}

// BindError is a template that cannot be bound with the values given: the
// caller's mistake, not the warehouse's.
type BindError struct{ Err error }

func (e *BindError) Error() string { return e.Err.Error() }
func (e *BindError) Unwrap() error { return e.Err }

// Dialect names the template dialect for a warehouse: bigquery for the
// BigQuery warehouse, else snowflake when snowflake is set, else duckdb.
func Dialect(wh any, snowflake bool) string {
	switch {
	case isBigQuery(wh):
		return "bigquery"
	case snowflake:
		return "snowflake"
	}
	return "duckdb"
}

func isBigQuery(wh any) bool { _, ok := wh.(*bigquery.Warehouse); return ok }

// Run binds template name in dialect with v, runs it on wh (a *bigquery.Warehouse
// or a SQLWarehouse), and streams the rows to ew, which it closes. Values are
// bound, never pasted into the SQL. It returns the row count.
func Run(ctx context.Context, wh any, dialect, name string, v analysis.Values, ew export.Writer) (int64, error) {
	d, err := analysis.DialectNamed(dialect)
	if err != nil {
		return 0, &BindError{err}
	}
	var rs interface {
		export.Rows
		Close() error
	}
	switch w := wh.(type) {
	case *bigquery.Warehouse:
		if dialect != "bigquery" {
			return 0, &BindError{fmt.Errorf("a BigQuery warehouse runs bigquery templates, not %s", dialect)}
		}
		q, err := analysis.Bind(d, w.Dataset(), name, v)
		if err != nil {
			return 0, &BindError{err}
		}
		params := make(map[string]any, len(q.Args))
		for _, a := range q.Args {
			params[a.Name] = a.Value
		}
		r, err := w.Query(ctx, q.SQL, params)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		rs = r
	case SQLWarehouse:
		q, err := analysis.Bind(d, w.Schema(), name, v)
		if err != nil {
			return 0, &BindError{err}
		}
		r, err := w.DB().QueryContext(ctx, q.SQL, q.Values()...)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		rs = r
	default:
		return 0, &BindError{fmt.Errorf("warehouse %T does not answer SQL", wh)}
	}
	defer rs.Close()
	n, err := export.Stream(rs, ew)
	if err != nil {
		return n, fmt.Errorf("%s: %w", name, err)
	}
	return n, nil
}
