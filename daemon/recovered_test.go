package daemon_test

import (
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
)

// Failed cycles are logged each tick (their fix said once), but an idle cycle that succeeds logs
// nothing: once a file:// bucket's folder came back the log went silent,
// and whoever read it could not tell recovered from stuck (found by an
// operator audit). The first cycle to succeed after failures says so, once,
// with how many failed and since when.
func TestCycleSucceededAgainLogged(t *testing.T) {
	f := newFixture(t)
	f.root = true
	var logs syncBuffer
	f.logger = slog.New(slog.NewTextHandler(&logs, nil))
	f.start(daemon.Config{Listen: "127.0.0.1:0", Retry: daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 2},
		Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 1h"}}})
	if c := f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" }); c.Err != nil {
		t.Fatalf("startup cycle: %v", c.Err)
	}
	f.waitCycle("an idle tick", func(c daemon.Cycle) bool { return c.Scope != "startup" && c.Err == nil })
	if strings.Contains(logs.String(), "cycle succeeded again") {
		t.Fatalf("a cycle after no failure said it succeeded again:\n%s", logs.String())
	}
	moved := f.dir + ".moved"
	if err := os.Rename(f.dir, moved); err != nil {
		t.Fatal(err)
	}
	defer os.Rename(moved, f.dir)
	for range 2 {
		f.waitCycle("failing", func(c daemon.Cycle) bool { return c.Err != nil })
	}
	if err := os.Rename(moved, f.dir); err != nil {
		t.Fatal(err)
	}
	f.waitCycle("after the folder is back", func(c daemon.Cycle) bool { return c.Err == nil })
	f.waitCycle("the next", func(c daemon.Cycle) bool { return c.Err == nil })
	// Each failed cycle's line says the fix once, in fix=: err= said it
	// too, the same sentence twice a tick.
	failed := 0
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "level=ERROR") && strings.Contains(l, "reason=bucket_gone") {
			failed++
			if n := strings.Count(l, "loads resume once it is back"); n != 1 || !strings.Contains(l, "fix=") {
				t.Errorf("a failed cycle's line says its fix %d times, want once, in fix=:\n%s", n, l)
			}
			// It is tried again at each tick: the line said retrying
			// would not help (found by an operator audit).
			if !strings.Contains(l, "the next tick tries again") {
				t.Errorf("a failed cycle's line does not say the next tick tries again:\n%s", l)
			}
		}
	}
	if failed == 0 {
		t.Fatalf("no failed cycle logged:\n%s", logs.String())
	}
	var said []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `msg="cycle succeeded again"`) {
			said = append(said, l)
		}
	}
	if len(said) != 1 {
		t.Fatalf("%d lines say the cycle succeeded again, want 1:\n%s", len(said), logs.String())
	}
	if !strings.Contains(said[0], "level=INFO") || !strings.Contains(said[0], "failing_since=") {
		t.Fatalf("recovery line: %s", said[0])
	}
	// Two failed for sure; one that began before the move may have ended well.
	if strings.Contains(said[0], "failed_cycles=0 ") || strings.Contains(said[0], "failed_cycles=1 ") {
		t.Fatalf("recovery line counts too few failed cycles: %s", said[0])
	}
}
