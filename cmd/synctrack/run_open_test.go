package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
)

// The daemon's idle cycles of the pages' database file read the ledger
// through the pages' handle (an instance of their own would empty, as it
// closes, the memory the pages keep); its loads, and other targets, open
// their own. Closing the cycle's warehouse lets the handle go, or the next
// load would wait for it.
func TestIdleCycleReadsThroughThePages(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	raw := "duckdb://" + filepath.Join(dir, "w.duckdb")
	_, w, err := engines.Open(ctx, raw, warehouse.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	open, closeAll, _, err := webOpener(ctx, raw, warehouse.Options{Now: time.Now}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	handles := 0
	counted := func(ctx context.Context) (warehouse.Querier, func(), error) {
		handles++
		return open(ctx)
	}
	openTarget := targetOpener(nil, &filePages{url: raw, open: counted})

	idle, err := openTarget(ctx, raw, nil, "", true)
	if err != nil {
		t.Fatal(err)
	}
	if handles != 1 {
		t.Fatalf("an idle cycle took %d page handles, want 1", handles)
	}
	if err := idle.ScanLedger(ctx, "", func(warehouse.LedgerVersion) error { return nil }); err != nil {
		t.Fatalf("the ledger through the pages' handle: %v", err)
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	loadCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	load, err := openTarget(loadCtx, raw, nil, "", false)
	if err != nil {
		t.Fatalf("a load after the idle cycle: %v (the handle not let go?)", err)
	}
	load.Close()
	other := "duckdb://" + filepath.Join(dir, "other.duckdb")
	o, err := openTarget(ctx, other, nil, "", false)
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	if o, err = openTarget(ctx, other, nil, "", true); err != nil {
		t.Fatal(err)
	}
	o.Close()
	if handles != 1 {
		t.Errorf("loads and another target's cycles took page handles: %d in all, want 1", handles)
	}
}
