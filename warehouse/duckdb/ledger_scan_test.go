package duckdb

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
)

// Read in ranges of about 3 rows, the scan is every row under the prefix once, in
// (key, etag) order, across page boundaries that fall inside a key's
// versions; under another prefix, nothing.
func TestScanLedgerPages(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, Config{Path: filepath.Join(t.TempDir(), "w.duckdb"), Schema: "synctrack", MemoryLimit: "256MB"}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var es []warehouse.LedgerEntry
	var want []string
	for i := range 7 {
		for _, etag := range []string{`"a"`, `"b"`} {
			k := fmt.Sprintf("sync_tracking_datasets/1/2/%d/records.0.parquet", i)
			es = append(es, warehouse.LedgerEntry{Key: k, ETag: etag, Kind: warehouse.KindRecords, Status: warehouse.StatusFailed, Attempts: i})
			want = append(want, fmt.Sprintf("%s %s failed %d", k, etag, i))
		}
	}
	es = append(es, warehouse.LedgerEntry{Key: "metadata/1/destinations.parquet", ETag: `"x"`, Kind: warehouse.KindFact, Status: warehouse.StatusSkipped, Attempts: 1})
	if err := w.Record(ctx, es); err != nil {
		t.Fatal(err)
	}
	defer func(n, m int) { scanPage, scanSample = n, m }(scanPage, scanSample)
	scanPage, scanSample = 3, 2
	bounds, err := w.scanBounds(ctx, w.table("load_ledger"), "sync_tracking_datasets/")
	if err != nil || len(bounds) < 3 {
		t.Fatalf("bounds %v, err %v: the scan would not be split in ranges", bounds, err)
	}
	var got []string
	if err := w.ScanLedger(ctx, "sync_tracking_datasets/", func(v warehouse.LedgerVersion) error {
		got = append(got, fmt.Sprintf("%s %s %s %d", v.Key, v.ETag, v.Status, v.Attempts))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("scan:\n got  %v\n want %v", got, want)
	}
	n := 0
	if err := w.ScanLedger(ctx, "metadata/2/", func(warehouse.LedgerVersion) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("another prefix: %d rows, err %v", n, err)
	}
}
