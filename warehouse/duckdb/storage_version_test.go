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
// tables get DuckDB's own compression there, the columns fixed to be
// stored as they are stay so. A file of an older version keeps the fixed
// methods. Without the check Open fails at the first CREATE TABLE.
func TestNewStorageVersionFile(t *testing.T) {
	url, dir := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 2, 3, 50
	m, err := gen.Generate(context.Background(), testbucket.Open(t, url), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		version string
		fsst    bool // identifier and payload stored as FSST
	}{{"v1.2.0", true}, {"v1.3.0", false}, {"latest", false}} {
		t.Run(c.version, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "new.duckdb")
			db, err := sql.Open("duckdb", "")
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{"ATTACH '" + path + "' AS f (STORAGE_VERSION '" + c.version + "')",
				"CREATE TABLE f.main.theirs (x INTEGER)", "DETACH f"} {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			db.Close()

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
			fsst := scalar(t, w, `SELECT count(*) FROM pragma_storage_info('synctrack.sync_records')
				WHERE column_name = 'identifier' AND compression = 'FSST'`)
			if (fsst > 0) != c.fsst {
				t.Errorf("%d identifier segments stored as FSST, want FSST: %v", fsst, c.fsst)
			}
			if n := scalar(t, w, `SELECT count(*) FROM pragma_storage_info('synctrack.run_fingerprint_counts')
				WHERE column_name = 'status_message' AND segment_type = 'VARCHAR' AND compression <> 'Uncompressed'`); n != 0 {
				t.Errorf("%d segments of the counts' example message compressed, want it stored as it is", n)
			}
			w.Close()
			w = openDuck(t, path)
			defer w.Close()
			if n := scalar(t, w, `SELECT count(*) FROM main.theirs`); n != 0 {
				t.Errorf("the file's own table holds %d rows", n)
			}
		})
	}
}
