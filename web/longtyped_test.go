package web_test

import (
	dbsql "database/sql"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/web"
)

// A payload's string fields of a megabyte each (a bucket's bytes): their
// typed cells on the run page show the first 2 KiB each, as a message's,
// not a megabyte a cell. They were shown whole while the payload beside
// them was cut at 64 KiB: 50 records of 1 MiB strings made a 55 MB page
// (found by a review).
func TestLongTypedCellsAreCut(t *testing.T) {
	f := generate(t)
	path := filepath.Join(t.TempDir(), "w.duckdb")
	whURL := "duckdb://" + path
	f.load(t, whURL)
	sync, run := f.biggestRun()
	long := strings.Repeat("x", 1_000_000)
	p := map[string]string{}
	for _, k := range []string{"name", "email", "domain", "first_name", "last_name", "segment", "variant", "loyalty_tier", "currency"} {
		p[k] = long
	}
	payload, _ := json.Marshal(p)
	const id = "long-typed"
	db, err := dbsql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO synctrack.sync_records (identifier, record_payload, operation, status, status_message,
  batch_started_at, sync_configuration_id, sync_run_id, org_id, _file, _row)
SELECT ?, ?, 'upsert', 'rejected', 'no', max(batch_started_at), ?, ?, any_value(org_id), 'zz-long.parquet', 0
FROM synctrack.sync_records WHERE sync_configuration_id = ? AND sync_run_id = ?`, id, string(payload), sync, run, sync, run); err != nil {
		t.Fatal(err)
	}
	db.Close()
	srv := serve(t, web.Options{Open: openURL(t, whURL)})
	body := get(t, srv.URL+"/syncs/"+url.PathEscape(sync)+"/runs/"+url.PathEscape(run)+"?q="+id, 200)
	const said = "cut: 1,000,000 bytes in all"
	if len(body) > 200<<10 || !strings.Contains(body, `<table class="typed"><caption>`) || !strings.Contains(body, said) {
		t.Errorf("the run page: %d bytes, typed cells %v, saying %q: %v; want them cut",
			len(body), strings.Contains(body, `<table class="typed"><caption>`), said, strings.Contains(body, said))
	}
}

// A record's typed cells together show at most 64 KiB, as its payload: a
// view of 1,500 columns of 2 KiB each would still be 3 MB a record.
func TestTypedCellsShareARecordsBudget(t *testing.T) {
	v, left, shown := strings.Repeat("y", 10_000), 64<<10, 0
	var cell string
	for range 1500 {
		cell, left = web.TypedText(v, left)
		shown += len(cell)
	}
	if shown > 64<<10+200*1500 || !strings.Contains(cell, "cut: 10,000 bytes in all") {
		t.Errorf("1,500 cells of 10,000 bytes showed %d bytes, the last %q", shown, cell)
	}
	if cell, _ = web.TypedText("", 0); cell != "" {
		t.Errorf("an empty cell past the budget: %q", cell)
	}
}
