package daemon_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/warehouse"
)

// A message delivered again while the cycle that loads it runs (SQS past
// its visibility timeout during a long load) was queued for the next
// cycle: its folder listed again under the lease, the notification counted
// applied and its lag observed twice (found by a review). The copy is
// acknowledged with the load that commits its message, counted once.
func TestEventsCopyDuringItsLoadCountsOnce(t *testing.T) {
	f := newFixture(t)
	top := memEvents(t, f, 300*time.Millisecond) // redelivered while the load is held
	gate := make(chan struct{})
	var holding atomic.Bool
	f.wrap = func(w warehouse.Warehouse, readOnly bool) warehouse.Warehouse {
		if holding.Load() && !readOnly {
			<-gate
		}
		return w
	}
	f.start(eventsConfig())
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	keys := f.newRun(f.runFolders()[1], "9900021")
	holding.Store(true)
	publish(t, top, daemon.NoticeBody(t, "s3_put", "", keys[0]), nil)
	f.waitMetric(2, "synctrack_events_total", "result", "received") // its copy, while the load waits at the gate
	holding.Store(false)
	close(gate)
	if c := f.waitCycle("the load", loadedKey(keys[0])); c.Err != nil || len(c.Loaded) != len(keys) {
		t.Fatalf("loaded %v (err %v), want %v", c.Loaded, c.Err, keys)
	}
	// Another notification, for another run: what was queued before it
	// has had its cycle when this one has.
	other := f.newRun(f.runFolders()[1], "9900022")
	publish(t, top, daemon.NoticeBody(t, "s3_put", "", other[0]), nil)
	for {
		c := f.waitCycle("the other run's load", func(c daemon.Cycle) bool { return c.Scope == "events" })
		if c.Err != nil {
			t.Fatalf("events cycle: %v", c.Err)
		}
		if len(c.Loaded) == 0 {
			t.Errorf("an events cycle loaded nothing: a copy listed its folder again")
		}
		if loadedKey(other[0])(c) {
			break
		}
	}
	if n := f.metric("synctrack_events_total", "result", "applied"); n != 2 {
		t.Errorf("applied %v, want 2: each notification once", n)
	}
	if n := f.metric("synctrack_event_lag_seconds"); n != 2 {
		t.Errorf("lag observed %v times, want 2", n)
	}
}
