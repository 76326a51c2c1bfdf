package daemon_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gocloud.dev/pubsub"
	"gocloud.dev/pubsub/mempubsub"

	"github.com/synctrack/synctrack/daemon"
)

// A subscription that fails (here: shut down under the daemon, so its
// Receive errors) is opened again after a wait; an open that fails too is
// retried after the next wait (not by receiving from the subscription it
// shut down, whose error would only say so). Then notifications load again, once each:
// the new subscription's message loads its run, and the same message again
// loads nothing.
func TestEventsSubscriptionReopened(t *testing.T) {
	f := newFixture(t)
	top := mempubsub.NewTopic()
	t.Cleanup(func() { _ = top.Shutdown(context.Background()) })
	var mu sync.Mutex
	var subs []*pubsub.Subscription
	opens := 0
	f.reg = prometheus.NewRegistry()
	f.openSub = func(_ context.Context, u string) (*pubsub.Subscription, error) {
		mu.Lock()
		defer mu.Unlock()
		opens++
		if opens == 2 { // the first reopen fails: the queue is not reachable yet
			return nil, errors.New("dial tcp: connection refused")
		}
		s := mempubsub.NewSubscription(top, time.Minute)
		subs = append(subs, s)
		return s, nil
	}
	cfg := eventsConfig()
	cfg.Retry = daemon.Retry{Base: 10 * time.Millisecond, Max: 40 * time.Millisecond, Attempts: 2}
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })

	mu.Lock()
	first := subs[0]
	mu.Unlock()
	if err := first.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The receive error, a failed reopen, then after another wait a reopen
	// that works.
	f.waitMetric(1, "synctrack_events_total", "result", "receive_error")
	deadline := time.Now().Add(time.Minute)
	for {
		mu.Lock()
		n := len(subs)
		mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the subscription was not opened again: %d opens", opens)
		}
		time.Sleep(10 * time.Millisecond)
	}

	keys := f.newRun(f.runFolders()[0], "9900030")
	publish(t, top, daemon.NoticeBody(t, "s3_put", "", keys[0]), nil)
	c := f.waitCycle("loading through the new subscription", func(c daemon.Cycle) bool { return c.Scope == "events" })
	if c.Err != nil || len(c.Loaded) != len(keys) {
		t.Fatalf("events cycle: err %v, loaded %v, want %v", c.Err, c.Loaded, keys)
	}
	f.waitMetric(1, "synctrack_events_total", "result", "applied")
	publish(t, top, daemon.NoticeBody(t, "s3_put", "", keys[0]), nil)
	c = f.waitCycle("the same notification again", func(c daemon.Cycle) bool { return c.Scope == "events" })
	if c.Err != nil || len(c.Loaded) != 0 || c.Report.UpToDate != len(keys) {
		t.Fatalf("again: err %v, loaded %v, up to date %d", c.Err, c.Loaded, c.Report.UpToDate)
	}
	f.waitMetric(2, "synctrack_events_total", "result", "applied")
	if n := f.metric("synctrack_events_total", "result", "receive_error"); n != 1 {
		t.Errorf("%v receive errors, want 1 (the break: a failed reopen is retried without receiving on the old subscription)", n)
	}
	f.shutdown()
	for _, k := range keys {
		if n := f.query("SELECT count(*) FROM synctrack.load_ledger WHERE key = ?", k); len(n) != 1 || n[0] != "1" {
			t.Errorf("%s has %v ledger rows, want 1", k, n)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if opens != 3 {
		t.Errorf("%d subscription opens, want 3 (start, a failed reopen, a reopen)", opens)
	}
}
