package daemon_test

import (
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/warehouse"
)

// The sender delivers a sync.completed again while the run's first load
// runs: the copy is queued for the next cycle (a webhook has no id to
// join it to the first by), which loads nothing and says nothing at INFO:
// the log says the run complete once, and received once. The handler said
// each delivery at INFO (found by a review).
func TestWebhookAgainDuringItsLoadSaidOnce(t *testing.T) {
	const secret = "s3cret"
	f := newFixture(t)
	gate, blocked := make(chan struct{}), make(chan struct{})
	var holding atomic.Bool
	f.wrap = func(w warehouse.Warehouse, readOnly bool) warehouse.Warehouse {
		if holding.Load() && !readOnly {
			blocked <- struct{}{}
			<-gate
		}
		return w
	}
	var logs syncBuffer
	f.logger = slog.New(slog.NewTextHandler(&logs, nil))
	f.start(daemon.Config{Listen: "127.0.0.1:0", WebhookSecret: secret, WebhookMaxBytes: 4096,
		Targets: []daemon.Target{{Schedule: "@every 1h", FactsSchedule: "@every 1h"}}})
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" })
	keys := f.newRun(f.runFolders()[0], "9900031")
	parts := strings.Split(keys[0], "/") // sync_tracking_datasets/ORG/SYNC/RUN/FILE
	body := fmt.Sprintf(`{"type":"sync.completed","org_id":"%s","sync_id":"%s","sync_run_id":"9900031"}`, parts[1], parts[2])
	url := "http://" + f.d.Addr() + "/webhook"
	from := len(logs.String())
	deliver := func() {
		t.Helper()
		if got := post(t, url, body, sign(secret, body)); got != 202 {
			t.Fatalf("webhook: %d", got)
		}
	}
	holding.Store(true)
	deliver()
	<-blocked // the first delivery's load has begun
	deliver()
	holding.Store(false)
	close(gate)
	c := f.waitCycle("the load", func(c daemon.Cycle) bool { return c.Scope == "webhook" })
	if c.Err != nil || len(c.Loaded) != len(keys) {
		t.Fatalf("loaded %v (err %v), want %v", c.Loaded, c.Err, keys)
	}
	if c := f.waitCycle("the copy", func(c daemon.Cycle) bool { return c.Scope == "webhook" }); c.Err != nil || len(c.Loaded) != 0 {
		t.Fatalf("the copy's cycle: loaded %v (err %v), want nothing", c.Loaded, c.Err)
	}
	f.shutdown()
	got := logs.String()[from:]
	if n := strings.Count(got, `level=INFO msg="run complete (sync.completed)"`); n != 1 {
		t.Errorf("the run was said complete %d times; want once:\n%s", n, got)
	}
	// The first delivery is said received at INFO, its copy not.
	received := `level=INFO msg="sync.completed received"`
	if n := strings.Count(got, received); n != 1 {
		t.Errorf("said received at INFO %d times; want once, for the first delivery:\n%s", n, got)
	}
	for _, l := range strings.Split(got, "\n") {
		if strings.Contains(l, "level=INFO") && strings.Contains(l, "sync.completed") &&
			!strings.Contains(l, "run complete") && !strings.Contains(l, received) {
			t.Errorf("a delivery said at INFO: %s", l)
		}
	}
}
