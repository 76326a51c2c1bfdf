package main

import (
	"database/sql"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A table of the user's that holds one sync's view name: load loads every
// row, rebuilds the other syncs' views, names the blocked sync on stdout
// and exits 1; views says the same; once the table is gone, views rebuilds
// it and exits 0.
func TestLoadNamesTheViewItCouldNotRebuild(t *testing.T) {
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "3", "--runs", "1", "--files", "1", "--rows", "20")
	syncDirs, _ := filepath.Glob(filepath.Join(bucket, "sync_tracking_datasets", "*", "*"))
	if len(syncDirs) != 3 {
		t.Fatalf("premise: 3 syncs, got %v", syncDirs)
	}
	sort.Strings(syncDirs)
	blocked := filepath.Base(syncDirs[0])
	path := filepath.Join(t.TempDir(), "w.duckdb")
	wh := "duckdb://" + path
	exec := func(q string) {
		t.Helper()
		db, err := sql.Open("duckdb", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`CREATE SCHEMA synctrack; CREATE TABLE synctrack.sync_records_` + blocked + ` (mine INTEGER)`)

	code, out, errs := runCLIAll(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh)
	want := "VIEW NOT REBUILT for sync " + blocked + ": "
	if code != 1 || !strings.Contains(out, want) {
		t.Fatalf("load: exit %d, want 1 and %q:\n%s\n%s", code, want, out, errs)
	}
	if strings.Count(out, "VIEW NOT REBUILT") != 1 || !strings.Contains(out, "0 failed") {
		t.Errorf("want one view named and no object failed:\n%s", out)
	}
	code, out, errs = runCLIAll(t, "query", "--warehouse", wh, "--format", "csv",
		"SELECT (SELECT count(*) FROM synctrack.sync_records) AS r, (SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'sync_records_%') AS v")
	if code != 0 || !strings.Contains(out, "60,2") {
		t.Errorf("rows and typed views: exit %d, want 60 rows and the 2 other views:\n%s\n%s", code, out, errs)
	}

	code, out, errs = runCLIAll(t, "views", "--warehouse", wh)
	if code != 1 || !strings.Contains(out, want) || !strings.Contains(out, "typed views rebuilt: 2") {
		t.Errorf("views: exit %d, want 1, 2 rebuilt and %q:\n%s\n%s", code, want, out, errs)
	}
	exec(`DROP TABLE synctrack.sync_records_` + blocked)
	code, out, errs = runCLIAll(t, "views", "--warehouse", wh)
	if code != 0 || !strings.Contains(out, "typed views rebuilt: 3") {
		t.Errorf("views with the name free: exit %d:\n%s\n%s", code, out, errs)
	}
}
