package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/warehouse"
)

// failExpire fails the retention pass after a load's steps, while fail is
// set, with a transient error: the load's rows are committed, the load
// ends with an error.
type failExpire struct {
	warehouse.Warehouse
	fail *atomic.Bool
}

func (w failExpire) Expire(ctx context.Context, r warehouse.Retention) (warehouse.Expired, error) {
	if w.fail.Load() {
		return warehouse.Expired{}, &warehouse.Error{Class: warehouse.Transient, Reason: "connection", Err: errors.New("connection reset by peer")}
	}
	return w.Warehouse.Expire(ctx, r)
}

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
