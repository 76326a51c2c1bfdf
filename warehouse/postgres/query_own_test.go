package postgres_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/warehouse"
)

// A READ ONLY transaction still runs COPY to a server file or a program,
// and DO: QueryReadOnly refuses every statement PostgreSQL describes as
// returning no rows, before it runs, and runs those that return rows.
func TestQueryReadOnlyRunsOnlyWhatReturnsRows(t *testing.T) {
	ctx := context.Background()
	w := open(t, pgtest.URL(t), warehouse.Options{}).(warehouse.ReadOnlyQuerier)
	// The server may run as another user: a folder it can write to.
	dir, err := os.MkdirTemp("", "copyto")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	file, prog := filepath.Join(dir, "out.txt"), filepath.Join(dir, "ran")
	for q, word := range map[string]string{
		"COPY (SELECT 1) TO '" + file + "'":                       "COPY",
		"COPY (SELECT 1) TO PROGRAM 'touch " + prog + "'":         "COPY",
		"/* c */ copy (select 1) to stdout":                       "COPY",
		"COPY pg_catalog.pg_am FROM PROGRAM 'touch " + prog + "'": "COPY",
		"DO $$ BEGIN PERFORM pg_sleep(0); END $$":                 "DO",
		"do 'begin null; end'":                                    "DO",
		"LOAD 'auto_explain'":                                     "LOAD",
	} {
		rs, err := w.QueryReadOnly(ctx, q)
		if err == nil {
			rs.Close()
			t.Errorf("%s: ran", q)
			continue
		}
		if !errors.Is(err, warehouse.ErrNotReadOnly) || warehouse.ClassOf(err) != warehouse.Config ||
			!strings.Contains(err.Error(), "PostgreSQL describes "+word+" as returning no rows") {
			t.Errorf("%s: %v", q, err)
		}
	}
	for _, f := range []string{file, prog} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s was written", f)
		}
	}
	for _, q := range []string{"SELECT 1", "VALUES (1)", "SHOW search_path", "EXPLAIN SELECT 1",
		"WITH x AS (SELECT 1 AS a) SELECT a FROM x", "TABLE pg_catalog.pg_am", "SELECT FROM pg_catalog.pg_am"} {
		rs, err := w.QueryReadOnly(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		for rs.Next() {
		}
		if err := rs.Err(); err != nil {
			t.Errorf("%s: %v", q, err)
		}
		rs.Close()
	}
}
