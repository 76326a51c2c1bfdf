package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

func loadedWarehouse(t *testing.T, now func() time.Time) (*duckdb.Warehouse, []warehouse.RunRef) {
	t.Helper()
	ctx := context.Background()
	url, _ := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 3, 1, 5
	b := testbucket.Open(t, url)
	if _, err := gen.Generate(ctx, b, o); err != nil {
		t.Fatal(err)
	}
	w, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "s.duckdb"), Schema: "synctrack", MemoryLimit: "256MB"}, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if _, err := loader.New(b, "", w, loader.Options{Now: now}).Load(ctx); err != nil {
		t.Fatal(err)
	}
	var refs []warehouse.RunRef
	rs, err := w.DB().Query(`SELECT org_id, sync_configuration_id, sync_run_id FROM synctrack.sync_runs ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var r warehouse.RunRef
		if err := rs.Scan(&r.OrgID, &r.SyncID, &r.RunID); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	if len(refs) != 3 {
		t.Fatalf("want 3 runs loaded, got %d", len(refs))
	}
	return w, refs
}

func states(t *testing.T, w *duckdb.Warehouse) map[string]string {
	t.Helper()
	out := map[string]string{}
	rs, err := w.DB().Query(`SELECT sync_run_id, state, completed_at IS NOT NULL FROM synctrack.sync_runs`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var id, st string
		var done bool
		if err := rs.Scan(&id, &st, &done); err != nil {
			t.Fatal(err)
		}
		if done != (st == warehouse.RunComplete) {
			t.Fatalf("run %s: state %s but completed_at set=%v", id, st, done)
		}
		out[id] = st
	}
	return out
}

func TestRunStates(t *testing.T) {
	ctx := context.Background()
	loadAt := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w, refs := loadedWarehouse(t, func() time.Time { return loadAt })
	later := loadAt.Add(time.Hour)

	n, err := w.CompleteRuns(ctx, refs[:1], later)
	if err != nil || n != 1 {
		t.Fatalf("complete: %d, %v", n, err)
	}
	if n, _ := w.CompleteRuns(ctx, refs[:1], later); n != 0 {
		t.Fatalf("a duplicate webhook completed %d runs again", n)
	}
	s := states(t, w)
	if s[refs[0].RunID] != "complete" || s[refs[1].RunID] != "open" {
		t.Fatalf("after webhook: %v", s)
	}
	// Quiet since before the load: nothing completes. Quiet since after: all do.
	if done, open, err := w.CompleteQuietRuns(ctx, loadAt.Add(-time.Minute), later); err != nil || done != 0 || open != 2 {
		t.Fatalf("quiet sweep too early: completed %d, open %d, %v", done, open, err)
	}
	if done, open, err := w.CompleteQuietRuns(ctx, loadAt.Add(time.Minute), later); err != nil || done != 2 || open != 0 {
		t.Fatalf("quiet sweep: completed %d, open %d, %v", done, open, err)
	}
	// A late file reopens its run.
	if n, err := w.ReopenRuns(ctx, refs[2:]); err != nil || n != 1 {
		t.Fatalf("reopen: %d, %v", n, err)
	}
	s = states(t, w)
	if s[refs[2].RunID] != "open" || s[refs[0].RunID] != "complete" {
		t.Fatalf("after reopen: %v", s)
	}
}

func TestLease(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "l.duckdb"), Schema: "synctrack", MemoryLimit: "256MB"},
		func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	step := func(who string, want bool, wantHolder string) {
		t.Helper()
		ok, holder, _, err := w.AcquireLease(ctx, "load", who, time.Minute)
		if err != nil || ok != want || holder != wantHolder {
			t.Fatalf("%s acquire at %s: ok=%v holder=%q err=%v; want ok=%v holder=%q", who, now, ok, holder, err, want, wantHolder)
		}
	}
	step("a", true, "a")
	step("b", false, "a")
	step("a", true, "a") // renew
	now = now.Add(59 * time.Second)
	step("b", false, "a")
	now = now.Add(2 * time.Second) // a crashed: its lease expired
	step("b", true, "b")
	if err := w.ReleaseLease(ctx, "load", "a"); err != nil { // not a's to release
		t.Fatal(err)
	}
	step("a", false, "b")
	if err := w.ReleaseLease(ctx, "load", "b"); err != nil {
		t.Fatal(err)
	}
	step("a", true, "a")
}

// A warehouse opened under a context that has ended still releases its
// lease: a new connection's settings ran under the opening context, so a
// daemon stopped mid-load (its context cancelled) failed the release with
// "context canceled" and the next daemon waited out the lease (found by a
// review).
func TestLeaseReleasedAfterTheOpeningContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	w, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "l.duckdb"), Schema: "synctrack", MemoryLimit: "256MB"}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	bg := context.Background()
	if ok, _, _, err := w.AcquireLease(bg, "load", "a", time.Minute); err != nil || !ok {
		t.Fatalf("acquire: %v %v", ok, err)
	}
	cancel()
	w.DB().SetMaxIdleConns(0) // the release needs a new connection, as after a cancelled statement
	if err := w.ReleaseLease(bg, "load", "a"); err != nil {
		t.Fatalf("release: %v", err)
	}
	if ok, holder, _, err := w.AcquireLease(bg, "load", "b", time.Minute); err != nil || !ok {
		t.Errorf("b acquires: %v, held by %q, %v", ok, holder, err)
	}
}
