package daemon_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/warehouse"
)

// failExpire fails the retention pass after a load's steps, while fail is
// set (and while times, when set, is above zero: it counts down), with a
// transient error: the load's rows are committed, the load ends with an
// error.
type failExpire struct {
	warehouse.Warehouse
	fail  *atomic.Bool
	times *atomic.Int32
	// facts, when set, fails that many fact rebuilds first, the same way.
	facts *atomic.Int32
}

func (w failExpire) ReplaceFacts(ctx context.Context, table string, files []warehouse.File, keep warehouse.FactsKept) error {
	if w.facts != nil && w.facts.Add(-1) >= 0 {
		return &warehouse.Error{Class: warehouse.Transient, Reason: "connection", Err: errors.New("connection reset by peer")}
	}
	return w.Warehouse.ReplaceFacts(ctx, table, files, keep)
}

func (w failExpire) Expire(ctx context.Context, r warehouse.Retention) (warehouse.Expired, error) {
	if w.fail.Load() && (w.times == nil || w.times.Add(-1) >= 0) {
		return warehouse.Expired{}, &warehouse.Error{Class: warehouse.Transient, Reason: "connection", Err: errors.New("connection reset by peer")}
	}
	return w.Warehouse.Expire(ctx, r)
}

// ReadsLocalFiles keeps the loader staging files for the DuckDB inside
// (a wrapper without it reads as an engine that reads the bucket itself,
// and DuckDB was given no file to read).
func (w failExpire) ReadsLocalFiles() {}

func (w failExpire) ReopenRuns(ctx context.Context, runs []warehouse.RunRef) (int64, error) {
	return w.Warehouse.(warehouse.RunStates).ReopenRuns(ctx, runs)
}

func (w failExpire) CompleteRuns(ctx context.Context, runs []warehouse.RunRef, at time.Time) (int64, error) {
	return w.Warehouse.(warehouse.RunStates).CompleteRuns(ctx, runs, at)
}

func (w failExpire) CompleteQuietRuns(ctx context.Context, cutoff, at time.Time) (int64, int64, error) {
	return w.Warehouse.(warehouse.RunStates).CompleteQuietRuns(ctx, cutoff, at)
}

// A late file committed by a load that then fails reopens its complete
// run: the retry plans from the ledger, where the file is loaded, so the
// run stayed complete with a file loaded after it (found by a review).
func TestLateFileOfAFailedCycleReopensItsRun(t *testing.T) {
	const secret = "s3cret"
	f := newFixture(t)
	fail := &atomic.Bool{}
	f.wrap = func(w warehouse.Warehouse, readOnly bool) warehouse.Warehouse {
		if readOnly {
			return w
		}
		return failExpire{Warehouse: w, fail: fail}
	}
	f.start(daemon.Config{Listen: "127.0.0.1:0", WebhookSecret: secret,
		Retry:   daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 1},
		Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 1h", QuietPeriod: time.Hour}}})
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	runs := f.runFolders()
	parts := strings.Split(runs[0], "/") // sync_tracking_datasets/ORG/SYNC/RUN/
	org, sync, run := parts[1], parts[2], parts[3]
	body := fmt.Sprintf(`{"type":"sync.completed","data":{"orgId":"%s","syncId":"%s","syncRunId":"%s"}}`, org, sync, run)
	if got := post(t, "http://"+f.d.Addr()+"/webhook", body, sign(secret, body)); got != 202 {
		t.Fatalf("webhook: %d", got)
	}
	f.waitCycle("for the webhook", func(c daemon.Cycle) bool { return strings.Contains(c.Scope, "webhook") && c.Err == nil })
	fail.Store(true)
	late := f.copyObject(f.aParquet(runs[0]), runs[0]+"records_updated.91.parquet")
	f.waitCycle("for the failed cycle", func(c daemon.Cycle) bool { return c.Err != nil })
	fail.Store(false)
	f.shutdown()
	if n := f.query(`SELECT count(*) FROM synctrack.load_ledger WHERE key = ? AND status = 'loaded'`, late); n[0] != "1" {
		t.Fatalf("premise: the late file is not loaded (%v)", n)
	}
	st := f.query(`SELECT state FROM synctrack.sync_runs WHERE sync_run_id = ?`, run)
	if len(st) != 1 || st[0] != "open" {
		t.Errorf("the run a late file was loaded into: %v, want open", st)
	}
}

// A cycle retried for a transient error does not try again, in the same
// cycle, an object that failed in an earlier try: each try recorded its
// failure, and a bad object was quarantined within seconds, after one
// cycle's retries, not after --quarantine-after loads (found by a review).
func TestRetriedCycleCountsAFailureOnce(t *testing.T) {
	f := newFixture(t)
	runs := f.runFolders()
	bad := runs[0] + "records_updated.92.parquet"
	c := retriedWithAHalfFile(t, f, filepath.Join(f.dir, filepath.FromSlash(f.aParquet(runs[0]))), bad)
	got := f.query(`SELECT status || ' ' || attempts FROM synctrack.load_ledger WHERE key = ?`, bad)
	if len(got) != 1 || got[0] != "failed 1" {
		t.Errorf("the bad file after one retried cycle: %v, want failed 1", got)
	}
	// What the first try loaded before it failed is in the cycle's count.
	if len(c.Loaded) == 0 {
		t.Errorf("the cycle says it loaded nothing")
	}
}

// The same for a fact file: it was tried, and failed, once a try (found by
// a review of the fix above).
func TestRetriedCycleCountsAFactFailureOnce(t *testing.T) {
	f := newFixture(t)
	ms, _ := filepath.Glob(filepath.Join(f.dir, "metadata", "*", "destinations.parquet"))
	if len(ms) == 0 {
		t.Fatal("no fact file")
	}
	rel, _ := filepath.Rel(f.dir, filepath.Join(filepath.Dir(ms[0]), "destinations.bad.parquet"))
	bad := filepath.ToSlash(rel)
	c := retriedWithAHalfFile(t, f, ms[0], bad)
	if got := f.query(`SELECT status || ' ' || attempts FROM synctrack.load_ledger WHERE key = ?`, bad); len(got) != 1 || got[0] != "failed 1" {
		t.Errorf("the bad fact file after one retried cycle: %v, want failed 1", got)
	}
	// The good fact files the first try rebuilt before it failed are in the
	// cycle's count (found by a review: only records and metadata were).
	facts := 0
	for _, k := range c.Loaded {
		if strings.HasPrefix(k, "metadata/") {
			facts++
		}
	}
	if facts == 0 {
		t.Errorf("the cycle's loaded keys hold no fact file: %v", c.Loaded)
	}
}

// retriedWithAHalfFile writes the first half of the file src as the object
// bad and runs a daemon whose startup cycle fails its retention pass three
// times, so that it takes four tries; it returns that cycle, the daemon
// stopped.
func retriedWithAHalfFile(t *testing.T, f *fixture, src, bad string) daemon.Cycle {
	t.Helper()
	fail, times := &atomic.Bool{}, &atomic.Int32{}
	f.wrap = func(w warehouse.Warehouse, readOnly bool) warehouse.Warehouse {
		if readOnly {
			return w
		}
		return failExpire{Warehouse: w, fail: fail, times: times}
	}
	good, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.bucket.WriteAll(context.Background(), bad, good[:len(good)/2], nil); err != nil {
		t.Fatal(err)
	}
	times.Store(3)
	fail.Store(true)
	f.start(daemon.Config{Retry: daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 4},
		Targets: []daemon.Target{{Schedule: "@every 1h", FactsSchedule: "@every 1h"}}})
	c := f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" })
	f.shutdown()
	if c.Err != nil || times.Load() >= 0 {
		t.Fatalf("premise: the startup cycle ended %v with %d failures left", c.Err, times.Load())
	}
	return c
}

// A fact file loaded before whose new version failed in an earlier try of
// the cycle keeps the rows of the version loaded in the later tries, as it
// would had it not been read (a review's test of the fix above).
func TestRetriedCycleKeepsAFailedFactVersionsRows(t *testing.T) {
	f := newFixture(t)
	f.start(daemon.Config{Targets: []daemon.Target{{Schedule: "@every 1h", FactsSchedule: "@every 1h"}}})
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	f.shutdown()
	ms, _ := filepath.Glob(filepath.Join(f.dir, "metadata", "*", "destinations.parquet"))
	if len(ms) == 0 {
		t.Fatal("no fact file")
	}
	rel, _ := filepath.Rel(f.dir, ms[0])
	key := filepath.ToSlash(rel)
	want := f.query(`SELECT count(*) FROM synctrack.destinations WHERE _file = ?`, key)
	good, err := os.ReadFile(ms[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := f.bucket.WriteAll(context.Background(), key, good[:len(good)/2], nil); err != nil {
		t.Fatal(err)
	}
	// Another new file of the table, so that it is rebuilt in the later try.
	other := filepath.ToSlash(filepath.Join(filepath.Dir(rel), "destinations.1.parquet"))
	var b bytes.Buffer
	if err := parquet.Write(&b, []gen.NamedObject{{ID: "new-1", Type: "T", Name: "new"}}); err != nil {
		t.Fatal(err)
	}
	if err := f.bucket.WriteAll(context.Background(), other, b.Bytes(), nil); err != nil {
		t.Fatal(err)
	}
	facts := &atomic.Int32{}
	facts.Store(1)
	f.wrap = func(w warehouse.Warehouse, readOnly bool) warehouse.Warehouse {
		if readOnly {
			return w
		}
		return failExpire{Warehouse: w, fail: &atomic.Bool{}, facts: facts}
	}
	f.start(daemon.Config{Retry: daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 3},
		Targets: []daemon.Target{{Schedule: "@every 1h", FactsSchedule: "@every 1h"}}})
	c := f.waitCycle("at the restart", func(c daemon.Cycle) bool { return c.Scope == "startup" })
	f.shutdown()
	if c.Err != nil || facts.Load() >= 0 {
		t.Fatalf("premise: the cycle ended %v, %d rebuild failures left", c.Err, facts.Load())
	}
	if got := f.query(`SELECT count(*) FROM synctrack.destinations WHERE _file = ?`, key); got[0] != want[0] || want[0] == "0" {
		t.Errorf("the failed version's file has %s rows, had %s", got[0], want[0])
	}
	if got := f.query(`SELECT count(*) FROM synctrack.destinations WHERE _file = ?`, other); got[0] != "1" {
		t.Errorf("the new file has %s rows, want 1", got[0])
	}
}
