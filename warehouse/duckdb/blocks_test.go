package duckdb_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// A records batch that finds more table blocks in DuckDB's buffer pool
// than CachedBlocksBound has them evicted first (DuckDB would keep them
// until memory_limit: a long load's RSS grew with the database file), and
// the limit is the warehouse URL's again afterwards; under the bound they
// stay. A load's last batch leaves its own cached: the file closes next.
func TestLoadRecordsReleasesCachedBlocks(t *testing.T) {
	for _, bound := range []int64{1 << 40, 0} {
		t.Run(fmt.Sprint("bound=", bound), func(t *testing.T) {
			was := *duckdb.CachedBlocksBound
			*duckdb.CachedBlocksBound = bound
			defer func() { *duckdb.CachedBlocksBound = was }()
			loadCached(t, bound == 0)
		})
	}
}

func loadCached(t *testing.T, evicted bool) {
	ctx := context.Background()
	dir := t.TempDir()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var rows []stagedRow
	for i := range 40000 {
		rows = append(rows, stagedRow{fmt.Sprint(i), "rejected", fmt.Sprintf("no %d", i%50), at})
	}
	w, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "w.duckdb"), Schema: "synctrack", MemoryLimit: "300MB"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	limit := func() string {
		var s string
		if err := w.DB().QueryRow("SELECT current_setting('memory_limit')").Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := limit()
	var files []warehouse.File
	for i := range 3 {
		key := fmt.Sprintf("%srecords_updated.%d.parquet", runDir, i)
		writeParquet(t, dir, key, rows)
		files = append(files, stage(t, w, dir, key))
	}
	if _, err := w.LoadRecords(ctx, files); err != nil {
		t.Fatal(err)
	}
	if n := scalar(t, w, "SELECT count(*) FROM synctrack.sync_records"); n != 120000 {
		t.Fatalf("premise: %d rows loaded, want 120000", n)
	}
	blocks := func() int64 {
		return scalar(t, w, "SELECT memory_usage_bytes FROM duckdb_memory() WHERE tag = 'BASE_TABLE'")
	}
	if n := blocks(); n <= 1<<20 {
		t.Errorf("premise: %d bytes of table blocks cached after the first batch, want more than 1 MiB", n)
	}
	// The next batch: one small file, whose own blocks are a few KiB.
	small := fmt.Sprintf("%srecords_updated.9.parquet", runDir)
	writeParquet(t, dir, small, rows[:10])
	if _, err := w.LoadRecords(ctx, []warehouse.File{stage(t, w, dir, small)}); err != nil {
		t.Fatal(err)
	}
	n := blocks()
	// Evicting sets memory_limit to 1MB for a moment: DuckDB may keep that much.
	if evicted && n > 1<<20 {
		t.Errorf("%d bytes of table blocks still cached after the batch, want at most 1 MiB", n)
	}
	if !evicted && n <= 1<<20 {
		t.Errorf("premise: %d bytes of table blocks cached after the batch without evicting, want more than 1 MiB", n)
	}
	if got := limit(); got != want {
		t.Errorf("memory_limit %s after the batch, want %s as opened", got, want)
	}
}

// The daemon's lease renewal waits while memory_limit is down for an
// eviction, where 1MB could fail its statement, and runs once it is back.
func TestLeaseWaitsForEviction(t *testing.T) {
	ctx := context.Background()
	w, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "w.duckdb"), Schema: "synctrack", MemoryLimit: "300MB"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	release := duckdb.HoldEviction(w)
	done := make(chan error, 1)
	go func() {
		_, _, _, err := w.AcquireLease(ctx, "load", "me", time.Minute)
		done <- err
	}()
	select {
	case err := <-done:
		release()
		t.Fatalf("the lease was renewed during an eviction (err %v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	release()
	if err := <-done; err != nil {
		t.Fatalf("lease after the eviction: %v", err)
	}
}
