package web_test

import (
	"context"
	dbsql "database/sql"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
	"github.com/synctrack/synctrack/web"
)

// A status message and a ledger reason of a megabyte each (a bucket's
// bytes): each page shows the first 2 KiB, saying how long the text is, not
// a megabyte per cell; the download has the message whole.
func TestLongTextIsCutOnThePages(t *testing.T) {
	f := generate(t)
	path := filepath.Join(t.TempDir(), "w.duckdb")
	whURL := "duckdb://" + path
	f.load(t, whURL)
	sync, run := f.biggestRun()
	long := strings.Repeat("é is not a number; ", 50_000)
	const id = "long-message"
	db, err := dbsql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO synctrack.sync_records (identifier, record_payload, operation, status, status_message,
  batch_started_at, sync_configuration_id, sync_run_id, org_id, _file, _row)
SELECT ?, '{}', 'upsert', 'rejected', ?, max(batch_started_at), ?, ?, any_value(org_id), 'zz-long.parquet', 0
FROM synctrack.sync_records WHERE sync_configuration_id = ? AND sync_run_id = ?`, id, long, sync, run, sync, run); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, w, err := engines.Open(context.Background(), whURL, warehouse.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	err = w.Record(context.Background(), []warehouse.LedgerEntry{{Key: "sync_tracking_datasets/zz/bad.parquet", ETag: "e",
		Kind: warehouse.KindRecords, Status: warehouse.StatusFailed, Error: long, Attempts: 1, FirstSeenAt: time.Now()}})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	srv := serve(t, web.Options{Open: openURL(t, whURL)})
	runPath := "/syncs/" + url.PathEscape(sync) + "/runs/" + url.PathEscape(run)
	if len(long) != 1_000_000 {
		t.Fatalf("the message is %d bytes", len(long))
	}
	const said = "cut: 1,000,000 bytes in all"
	for _, p := range []string{runPath + "?q=" + id, "/records/" + id + "?sync=" + url.QueryEscape(sync), "/"} {
		body := get(t, srv.URL+p, 200)
		if len(body) > 200<<10 || !strings.Contains(body, said) {
			t.Errorf("GET %s: %d bytes, saying %q: %v; want the text cut", p, len(body), said, strings.Contains(body, said))
		}
	}
	if csv := get(t, srv.URL+runPath+"/records.csv?q="+id, 200); !strings.Contains(csv, long) {
		t.Errorf("the download lacks the whole message (%d bytes)", len(csv))
	}
}
