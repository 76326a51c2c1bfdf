package daemon_test

import (
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/warehouse"
)

// A file:// bucket's folder moved away while the daemon is idle fails its
// cycles as bucket_gone, as a load's Apply says it, and /readyz turns not
// ready; once it is back, all clears. The idle check never reached Apply,
// and an empty listing read as nothing new, cycle after cycle. A cycle
// does not try again within itself (it warned at each try, every tick).
func TestIdleCycleBucketFolderGone(t *testing.T) {
	f := newFixture(t)
	f.root = true
	// Opens of the warehouse, counted from a cycle that failed for the gone folder.
	var opens atomic.Int32
	var counting atomic.Bool
	f.wrap = func(w warehouse.Warehouse, _ bool) warehouse.Warehouse {
		if counting.Load() {
			opens.Add(1)
		}
		return w
	}
	f.start(daemon.Config{Listen: "127.0.0.1:0", Retry: daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 4},
		Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 1h"}}})
	if c := f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" }); c.Err != nil {
		t.Fatalf("startup cycle: %v", c.Err)
	}
	moved := f.dir + ".moved"
	if err := os.Rename(f.dir, moved); err != nil {
		t.Fatal(err)
	}
	back := func() {
		if moved != "" {
			os.Rename(moved, f.dir)
			moved = ""
		}
	}
	defer back()
	// A cycle that began before the move may end well: the next ones fail.
	c := f.waitCycle("failing", func(c daemon.Cycle) bool { return c.Scope != "startup" && c.Err != nil })
	if reason, _ := warehouse.Explain(c.Err); reason != "bucket_gone" || warehouse.ClassOf(c.Err) != warehouse.Transient {
		t.Fatalf("idle cycle with the bucket's folder gone: err %v (reason %q); want transient bucket_gone", c.Err, reason)
	}
	if strings.HasPrefix(c.Err.Error(), "after ") {
		t.Errorf("the cycle tried again within itself: %v", c.Err)
	}
	counting.Store(true) // from the end of a failed cycle: one may have opened before the move
	for range 2 {        // the second began after the count did
		f.waitCycle("failing again", func(c daemon.Cycle) bool { return c.Err != nil })
	}
	if n := opens.Load(); n != 0 {
		t.Errorf("the warehouse was opened %d times while the bucket's folder was gone", n)
	}
	if last, _ := f.d.LastCycle("default"); !strings.Contains(last.Err, "folder is not there") {
		t.Fatalf("last cycle for the pages: %+v", last)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		code, body := get(t, "http://"+f.d.Addr()+"/readyz")
		if code == 503 {
			if !strings.Contains(body, "last cycle failed (bucket_gone) at ") || strings.Contains(body, f.dir) {
				t.Fatalf("/readyz with the bucket's folder gone does not say why:\n%s", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz with the bucket's folder gone: %d %s", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	back()
	f.waitCycle("after the folder is back", func(c daemon.Cycle) bool { return c.Err == nil })
	if code, body := get(t, "http://"+f.d.Addr()+"/readyz"); code != 200 {
		t.Fatalf("/readyz once the folder is back: %d %s", code, body)
	}
	if last, _ := f.d.LastCycle("default"); last.Err != "" {
		t.Fatalf("last cycle once the folder is back: %+v", last)
	}
}

// With events on, a tick lists nothing but still checks the file://
// bucket's folder: one moved away fails the idle ticks as bucket_gone,
// as without events, rather than going unnoticed until a notification or
// the reconciliation (found by a user audit).
func TestEventsIdleTickBucketFolderGone(t *testing.T) {
	f := newFixture(t)
	f.root = true
	memEvents(t, f, time.Minute)
	cfg := eventsConfig()
	cfg.Targets[0].Schedule = "@every 1s"
	cfg.Retry = daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 2}
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	moved := f.dir + ".moved"
	if err := os.Rename(f.dir, moved); err != nil {
		t.Fatal(err)
	}
	defer os.Rename(moved, f.dir)
	var c daemon.Cycle
	for range 2 { // the first may have begun before the move
		c = f.waitCycle("a tick", func(c daemon.Cycle) bool { return c.Scope == "tick" })
	}
	if reason, _ := warehouse.Explain(c.Err); reason != "bucket_gone" {
		t.Fatalf("idle tick with the bucket's folder gone: err %v (reason %q); want bucket_gone", c.Err, reason)
	}
	if err := os.Rename(moved, f.dir); err != nil {
		t.Fatal(err)
	}
	f.waitCycle("a tick once the folder is back", func(c daemon.Cycle) bool { return c.Scope == "tick" && c.Err == nil })
}
