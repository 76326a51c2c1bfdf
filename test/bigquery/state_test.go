package bigquery_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
	bq "github.com/synctrack/synctrack/warehouse/bigquery"
)

// clock is a settable clock shared by warehouse handles.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// openAt opens a second (or third) handle on the env's dataset with clk.
func (e *env) openAt(t *testing.T, now func() time.Time) *bq.Warehouse {
	t.Helper()
	e.open(t) // the dataset and sync_records as every test has them
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, err := bq.Open(ctx, bq.Config{Project: project, Dataset: "synctrack", Path: bq.PathLoad,
		Bucket: e.bucket, BucketURL: e.bucketURL, JobTimeout: time.Minute}, now)
	if err != nil {
		t.Fatalf("open bigquery: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// Two daemons' handles on one dataset: one takes the lease, the other cannot
// until it expires (a crashed holder), then the first cannot; a release frees it.
func TestLeaseTwoHandles(t *testing.T) {
	e := newEnv(t)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clk := &clock{now: t0}
	a, b := e.openAt(t, clk.Now), e.openAt(t, clk.Now)
	ctx := context.Background()
	ttl := 10 * time.Minute
	acquire := func(w *bq.Warehouse, me string, wantOK bool, wantHolder string) time.Time {
		t.Helper()
		ok, holder, until, err := w.AcquireLease(ctx, "load", me, ttl)
		if err != nil || ok != wantOK || holder != wantHolder {
			t.Fatalf("%s at %s: ok=%v holder=%q until=%v err=%v; want ok=%v holder=%q",
				me, clk.Now().Sub(t0), ok, holder, until, err, wantOK, wantHolder)
		}
		return until
	}
	if u := acquire(a, "a", true, "a"); !u.Equal(t0.Add(ttl)) {
		t.Fatalf("a until %v", u)
	}
	if u := acquire(b, "b", false, "a"); !u.Equal(t0.Add(ttl)) {
		t.Fatalf("b sees a's lease until %v", u)
	}
	clk.set(t0.Add(5 * time.Minute))
	acquire(a, "a", true, "a") // renewal: now until t0+15m
	clk.set(t0.Add(14 * time.Minute))
	acquire(b, "b", false, "a")
	clk.set(t0.Add(16 * time.Minute)) // a stopped renewing: expired
	acquire(b, "b", true, "b")
	acquire(a, "a", false, "b")
	if err := a.ReleaseLease(ctx, "load", "a"); err != nil { // not a's: no effect
		t.Fatal(err)
	}
	acquire(a, "a", false, "b")
	if err := b.ReleaseLease(ctx, "load", "b"); err != nil {
		t.Fatal(err)
	}
	acquire(a, "a", true, "a")
	if got := bqRows(t, a, "SELECT COUNT(*) FROM synctrack.daemon_lease"); strings.Join(got, ",") != "1" {
		t.Errorf("lease rows: %v", got)
	}
}

// Run state on sync_runs: loaded runs are open; complete, complete again (a
// no-op), reopen, and the quiet sweep.
func TestRunStateBigQuery(t *testing.T) {
	e := newEnv(t)
	e.generate(t, smallOptions())
	w := e.open(t)
	loadBQ(t, e, w)
	ctx := context.Background()
	runs := bqRows(t, w, "SELECT org_id, sync_configuration_id, sync_run_id, state FROM synctrack.sync_runs")
	if len(runs) < 2 {
		t.Fatalf("runs: %v", runs)
	}
	var refs []warehouse.RunRef
	for _, r := range runs {
		p := strings.Split(r, "|")
		if p[3] != "open" {
			t.Fatalf("a loaded run is %q, want open", p[3])
		}
		refs = append(refs, warehouse.RunRef{OrgID: p[0], SyncID: p[1], RunID: p[2]})
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if n, err := w.CompleteRuns(ctx, refs[:1], at); err != nil || n != 1 {
		t.Fatalf("complete: %d %v", n, err)
	}
	if n, err := w.CompleteRuns(ctx, refs[:1], at.Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("complete again: %d %v", n, err)
	}
	state := func(r warehouse.RunRef) string {
		got := bqRows(t, w, "SELECT state, completed_at FROM synctrack.sync_runs WHERE sync_run_id = '"+r.RunID+"'")
		return strings.Join(got, ",")
	}
	if s := state(refs[0]); s != "complete|2026-03-01T12:00:00Z" {
		t.Fatalf("completed run: %s", s)
	}
	if n, err := w.ReopenRuns(ctx, refs); err != nil || n != 1 {
		t.Fatalf("reopen: %d %v", n, err)
	}
	if s := state(refs[0]); s != "open|NULL" {
		t.Fatalf("reopened run: %s", s)
	}
	// Nothing loaded in the last hour before a cutoff an hour ago: all stay open.
	now := time.Now()
	if done, open, err := w.CompleteQuietRuns(ctx, now.Add(-time.Hour), now); err != nil || done != 0 || open != int64(len(refs)) {
		t.Fatalf("sweep with recent files: done=%d open=%d err=%v", done, open, err)
	}
	if done, open, err := w.CompleteQuietRuns(ctx, now.Add(time.Hour), now); err != nil || done != int64(len(refs)) || open != 0 {
		t.Fatalf("sweep after the quiet period: done=%d open=%d err=%v", done, open, err)
	}
}
