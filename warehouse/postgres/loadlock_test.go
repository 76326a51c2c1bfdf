package postgres_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// Two loads of one schema started at the same moment load every file once:
// the second waits for the first's load lock, then plans from its ledger
// and finds nothing new. Found by review: both planned from the empty
// ledger and sync_records had every row twice (the ledger's upsert hid it),
// or their split batches waited on each other's ledger rows for ever.
func TestConcurrentLoadsLoadOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url, dir := testbucket.Dir(t)
	b := testbucket.Open(t, url)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 3, 3, 300
	m, err := gen.Generate(ctx, b, o)
	if err != nil {
		t.Fatal(err)
	}
	wurl := pgtest.URL(t)
	whs := []warehouse.Warehouse{open(t, wurl, warehouse.Options{LockWait: time.Minute}), open(t, wurl, warehouse.Options{LockWait: time.Minute})}
	var wg sync.WaitGroup
	start := make(chan struct{})
	reps := make([]*loader.Report, len(whs))
	errs := make([]error, len(whs))
	for i, w := range whs {
		wg.Go(func() {
			<-start
			reps[i], errs[i] = loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(ctx)
			w.Close() // the end of the load, as the command's: the lock goes with the handle
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("load %d: %v", i, err)
		}
	}
	if reps[0].Files != 0 && reps[1].Files != 0 {
		t.Errorf("files loaded: %d and %d, want one load to load them all and the other none", reps[0].Files, reps[1].Files)
	}
	check := open(t, wurl, warehouse.Options{ReadOnly: true})
	want := map[string]int{}
	for _, f := range m.Files {
		if f.Kind == gen.KindRecords {
			want[f.Key] = f.Rows
		}
	}
	got := rowsOf(t, check, `SELECT _file, count(*) FROM synctrack_schema.sync_records GROUP BY _file`)
	if len(got) != len(want) {
		t.Errorf("%d records files in sync_records, want %d", len(got), len(want))
	}
	for _, g := range got {
		key, n, _ := strings.Cut(g, "|")
		if fmt.Sprint(want[key]) != n {
			t.Errorf("%s: %s rows in sync_records, want %d (each row once)", key, n, want[key])
		}
	}
	if n := one(t, check, `SELECT count(*) FROM synctrack_schema.sync_runs`); n != fmt.Sprint(m.Runs) {
		t.Errorf("%s sync_runs rows, want %d", n, m.Runs)
	}
}

// A load that finds the lock held waits --lock-wait, then stops as locked
// (transient: synctrack load exits 3, the daemon backs off), naming the
// holder; a reader never takes the lock, and the lock goes with the handle.
func TestLoadLockHeld(t *testing.T) {
	ctx := context.Background()
	url, dir := testbucket.Dir(t)
	b := testbucket.Open(t, url)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 1, 1, 5
	if _, err := gen.Generate(ctx, b, o); err != nil {
		t.Fatal(err)
	}
	wurl := pgtest.URL(t)
	holder := open(t, wurl, warehouse.Options{})
	waiter := open(t, wurl, warehouse.Options{LockWait: 300 * time.Millisecond})
	if err := holder.ScanLedger(ctx, "", func(warehouse.LedgerVersion) error { return nil }); err != nil {
		t.Fatal(err)
	}
	reader := open(t, wurl, warehouse.Options{ReadOnly: true})
	if err := reader.ScanLedger(ctx, "", func(warehouse.LedgerVersion) error { return nil }); err != nil {
		t.Errorf("a reader while a load holds the lock: %v", err)
	}
	// Opening for writing sets the schema up, which waits for the load too
	// (its CREATE INDEX IF NOT EXISTS would wait for the load's batch
	// without a word), the same lock wait.
	if w, err := postgres.Engine().Open(ctx, wurl, warehouse.Options{LockWait: 100 * time.Millisecond}); err == nil {
		w.Close()
		t.Error("opened for writing while a load holds the lock")
	} else if reason, _ := warehouse.Explain(err); reason != "locked" {
		t.Errorf("open for writing while a load holds the lock: %v, want locked", err)
	}
	began := time.Now()
	_, err := loader.New(b, dir, waiter, loader.Options{}).Load(ctx)
	waited := time.Since(began)
	reason, _ := warehouse.Explain(err)
	if warehouse.ClassOf(err) != warehouse.Transient || reason != "locked" {
		t.Fatalf("a load while another holds the lock: %v (class %v, reason %q), want transient, locked", err, warehouse.ClassOf(err), reason)
	}
	if mine := fmt.Sprintf("pid %d on ", os.Getpid()); !strings.Contains(err.Error(), mine) || !strings.Contains(err.Error(), "another load holds it") {
		t.Errorf("the error does not name the holder (%q): %v", mine, err)
	}
	if waited < 300*time.Millisecond {
		t.Errorf("gave up after %v, want the lock wait of 300ms", waited)
	}
	holder.Close()
	rep, err := loader.New(b, dir, waiter, loader.Options{}).Load(ctx)
	if err != nil || rep.Files == 0 {
		t.Fatalf("a load once the holder closed: %+v, %v", rep, err)
	}
}
