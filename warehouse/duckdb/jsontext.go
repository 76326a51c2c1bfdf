package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"slices"
	"strconv"
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
// which columns those are; q itself and nil when it has none, or when the
// wrapped text does not prepare (it then runs as it is, decoded, and fails
// or not as itself: never twice). Columns are named by position (#n), so
// duplicate names keep theirs.
func jsonAsText(ctx context.Context, db *sql.DB, q string) (string, []bool) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return q, nil
	}
	defer conn.Close()
	var text string
	var isJSON []bool
	_ = conn.Raw(func(dc any) error {
		pc, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return nil
		}
		names, js, ok := resultColumns(ctx, pc, q)
		if !ok || !slices.Contains(js, true) {
			return nil
		}
		d := dialects.DuckDB{}
		cols := make([]string, len(names))
		for i, n := range names {
			ref := "#" + strconv.Itoa(i+1)
			if js[i] {
				ref = "CAST(" + ref + " AS VARCHAR)"
			}
			cols[i] = ref + " AS " + d.Ident(n)
		}
		// The query on lines of its own: a comment on its last line ends there.
		wrapped := "SELECT " + strings.Join(cols, ", ") + " FROM (\n" + bareStatement(q) + "\n) AS synctrack_q"
		// The wrapped text must prepare, to the same columns.
		if got, _, ok := resultColumns(ctx, pc, wrapped); ok && slices.Equal(got, names) {
			text, isJSON = wrapped, js
		}
		return nil
	})
	if isJSON == nil {
		return q, nil
	}
	return text, isJSON
}

// resultColumns prepares q (which does not run it) and says its result
// columns' names and which are JSON; false if it does not prepare.
func resultColumns(ctx context.Context, pc driver.ConnPrepareContext, q string) ([]string, []bool, bool) {
	st, err := pc.PrepareContext(ctx, q)
	if err != nil {
		return nil, nil, false
	}
	defer st.Close()
	ds, ok := st.(*duckdb.Stmt)
	if !ok {
		return nil, nil, false
	}
	n, err := ds.ColumnCount()
	if err != nil {
		return nil, nil, false
	}
	names, js := make([]string, n), make([]bool, n)
	for i := range n {
		if names[i], err = ds.ColumnName(i); err != nil {
			return nil, nil, false
		}
		ti, err := ds.ColumnTypeInfo(i)
		if err != nil {
			return nil, nil, false
		}
		js[i] = ti.Alias() == "JSON"
	}
	return names, js, true
}

// bareStatement is q without the semicolons, spaces and comments after its
// last word, which cannot stand inside a subquery. What it takes for a
// comment and is not one leaves a text that does not prepare: the query
// then runs as it is.
func bareStatement(q string) string {
	for {
		t := strings.TrimRight(q, " \t\r\n;")
		if k := strings.LastIndexByte(t, ';'); k >= 0 && isComment(strings.TrimSpace(t[k+1:])) {
			t = t[:k] // "...; -- done" on one line
		} else if i := strings.LastIndexByte(t, '\n'); strings.HasPrefix(strings.TrimSpace(t[i+1:]), "--") {
			t = t[:i+1]
		} else if strings.HasSuffix(t, "*/") {
			if j := strings.LastIndex(t, "/*"); j >= 0 {
				t = t[:j]
			}
		}
		if t == q {
			return q
		}
		q = t
	}
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

// isComment says s is one comment: a line's "--" or one "/* */".
func isComment(s string) bool {
	return strings.HasPrefix(s, "--") && !strings.Contains(s, "\n") ||
		strings.HasPrefix(s, "/*") && strings.HasSuffix(s, "*/") && strings.Count(s, "*/") == 1
}
