package duckdb_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
)

// A database file made with a newer storage version (STORAGE_VERSION
// v1.3.0 and later only decompress fsst and dictionary, which Setup fixes
// for some columns) opens, loads with its counts, and opens again: the
// tables get DuckDB's own compression there. Without the fallback Open
// fails at the first CREATE TABLE.
func TestNewStorageVersionFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.duckdb")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ATTACH '" + path + "' AS f (STORAGE_VERSION 'v1.3.0')", "CREATE TABLE f.main.theirs (x INTEGER)", "DETACH f"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	url, dir := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 2, 3, 50
	m, err := gen.Generate(context.Background(), testbucket.Open(t, url), o)
	if err != nil {
		t.Fatal(err)
	}
	w := openDuck(t, path)
	loadBucket(t, w, url, dir)
	if _, err := w.DB().Exec("CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	if n := scalar(t, w, `SELECT count(*) FROM synctrack.sync_records`); n != m.Rows {
		t.Errorf("%d rows stored, want %d", n, m.Rows)
	}
	if n := scalar(t, w, `SELECT sum(records) FROM synctrack.run_outcome_counts`); n != m.Rows {
		t.Errorf("outcome counts sum to %d, want %d", n, m.Rows)
	}
	if n := scalar(t, w, `SELECT count(*) FROM pragma_storage_info('synctrack.sync_records') WHERE compression = 'FSST'`); n != 0 {
		t.Errorf("%d segments stored as FSST in a file that only decompresses it", n)
	}
	w.Close()
	w = openDuck(t, path)
	defer w.Close()
	if n := scalar(t, w, `SELECT count(*) FROM main.theirs`); n != 0 {
		t.Errorf("the file's own table holds %d rows", n)
	}
}
