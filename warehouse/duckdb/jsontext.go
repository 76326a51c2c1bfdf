package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/synctrack/synctrack/dialects"
)

// The driver hands a JSON column back decoded by encoding/json: numbers
// past 2^53 rounded (12345678901234567890 became 12345678901234567000),
// objects' keys sorted. A payload is the source's record as it was sent:
// synctrack records, the downloads and the pages must show it as stored.
// So a query whose result has JSON columns runs with those columns cast
// to their text, and its rows say the columns are JSON, as PostgreSQL's
// jsonb text does (the export nests it in JSON output).

// jsonAsText returns q with its JSON result columns cast to VARCHAR, and
// which columns those are; q itself and nil when it has none, or when its
// columns cannot be read without running it (it then runs as it is, and
// says its own error).
func jsonAsText(ctx context.Context, db *sql.DB, q string) (string, []bool) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return q, nil
	}
	defer conn.Close()
	var names []string
	var isJSON []bool
	found := false
	_ = conn.Raw(func(dc any) error {
		pc, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return nil
		}
		st, err := pc.PrepareContext(ctx, q)
		if err != nil {
			return nil
		}
		defer st.Close()
		ds, ok := st.(*duckdb.Stmt)
		if !ok {
			return nil
		}
		n, err := ds.ColumnCount()
		if err != nil {
			return nil
		}
		for i := range n {
			name, err := ds.ColumnName(i)
			if err != nil {
				return nil
			}
			ti, err := ds.ColumnTypeInfo(i)
			if err != nil {
				return nil
			}
			j := ti.Alias() == "JSON"
			found = found || j
			names, isJSON = append(names, name), append(isJSON, j)
		}
		return nil
	})
	if !found || len(names) != len(isJSON) || !unique(names) {
		return q, nil
	}
	d := dialects.DuckDB{}
	var casts []string
	for i, n := range names {
		if isJSON[i] {
			casts = append(casts, "CAST(synctrack_q."+d.Ident(n)+" AS VARCHAR) AS "+d.Ident(n))
		}
	}
	// The query on lines of its own: a comment on its last line ends there.
	return "SELECT * REPLACE (" + strings.Join(casts, ", ") + ") FROM (\n" + strings.TrimRight(strings.TrimSpace(q), ";") + "\n) AS synctrack_q", isJSON
}

// unique says no two result columns share a name (case-insensitively, as
// DuckDB compares them): only then can they be named from outside.
func unique(names []string) bool {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		k := strings.ToLower(n)
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// jsonRows are rows whose JSON columns come as text: their type names say
// JSON, for the export. (Not *sql.Rows embedded: its ColumnTypes would
// say VARCHAR.)
type jsonRows struct {
	rows   *sql.Rows
	isJSON []bool
}

func (r jsonRows) Columns() ([]string, error) { return r.rows.Columns() }
func (r jsonRows) Next() bool                 { return r.rows.Next() }
func (r jsonRows) Scan(dest ...any) error     { return r.rows.Scan(dest...) }
func (r jsonRows) Err() error                 { return r.rows.Err() }
func (r jsonRows) Close() error               { return r.rows.Close() }

// ColumnTypeNames are the columns' engine types, JSON for those cast.
func (r jsonRows) ColumnTypeNames() []string {
	types, err := r.rows.ColumnTypes()
	out := make([]string, len(r.isJSON))
	for i := range out {
		switch {
		case r.isJSON[i]:
			out[i] = "JSON"
		case err == nil && i < len(types):
			out[i] = types[i].DatabaseTypeName()
		}
	}
	return out
}
