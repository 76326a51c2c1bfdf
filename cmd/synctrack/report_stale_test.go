package main

import (
	dbsql "database/sql"
	"strings"
	"testing"
)

// A warehouse loaded by an older synctrack has an older sync_log (before
// 2026-12-07 it had no _row, which record_history now orders by) until its
// next load or synctrack views. The report failed with DuckDB's binder
// error alone and exit 3, which says it would pass by itself; it is exit 2,
// saying that synctrack views brings the views up to this binary, and
// after it the report runs.
func TestReportOnOlderViewsSaysViews(t *testing.T) {
	wh, path := loadedWarehouse(t)
	db, err := dbsql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	if err := db.QueryRow(`SELECT min(identifier) FROM synctrack.sync_records`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE synctrack.old_log AS SELECT * EXCLUDE (_row) FROM synctrack.sync_log`,
		`DROP VIEW synctrack.sync_log`,
		`CREATE VIEW synctrack.sync_log AS SELECT * FROM synctrack.old_log`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	code, out, errs := runCLIAll(t, "report", "record_history", "--warehouse", wh, "--identifier", id)
	if code != 2 || !strings.Contains(errs, "_row") || !strings.Contains(errs, "synctrack views") {
		t.Fatalf("report over an older sync_log: exit %d, stderr %q, stdout %q; want exit 2 naming _row and synctrack views", code, errs, out)
	}
	if code, out, errs := runCLIAll(t, "views", "--warehouse", wh); code != 0 {
		t.Fatalf("views: exit %d: %s %s", code, out, errs)
	}
	if code, out, errs := runCLIAll(t, "report", "record_history", "--warehouse", wh, "--identifier", id); code != 0 || !strings.Contains(out, id) {
		t.Fatalf("after synctrack views: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
