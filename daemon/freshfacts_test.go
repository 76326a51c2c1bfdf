package daemon_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
)

// A daemon started on an empty bucket (a fresh one the vendor starts writing
// later) listed metadata/ only at startup and at the facts tick: fact files
// that came with the first runs loaded hours after them, the joins over the
// fact tables empty meanwhile (found by an operator audit). Until a look at
// metadata/ finds fact files, each run tick looks there too.
func TestFreshBucketsFactsLoadWithItsRuns(t *testing.T) {
	f := newFixture(t)
	away := t.TempDir()
	for _, p := range []string{"sync_tracking_datasets", "metadata"} {
		if err := os.Rename(filepath.Join(f.dir, p), filepath.Join(away, p)); err != nil {
			t.Fatal(err)
		}
	}
	f.start(daemon.Config{Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 6h"}}})
	if c := f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" }); c.Err != nil {
		t.Fatalf("startup on an empty bucket: %v", c.Err)
	}
	// The vendor writes: runs, then the fact tables.
	for _, p := range []string{"sync_tracking_datasets", "metadata"} {
		if err := os.Rename(filepath.Join(away, p), filepath.Join(f.dir, p)); err != nil {
			t.Fatal(err)
		}
	}
	next := func() daemon.Cycle {
		t.Helper()
		select {
		case c := <-f.cycles:
			if c.Err != nil || c.Report == nil {
				t.Fatalf("cycle %s: %v", c.Scope, c.Err)
			}
			return c
		case <-time.After(2 * time.Minute):
			t.Fatal("no cycle")
		}
		panic("unreachable")
	}
	const within = 5 // cycles, a second apart
	var found daemon.Cycle
	for n := 0; found.Report == nil; n++ {
		if n == within {
			t.Fatalf("no fact file loaded within %d cycles of its coming", within)
		}
		c := next()
		if slices.ContainsFunc(c.Loaded, func(k string) bool { return strings.HasPrefix(k, "metadata/") }) {
			found = c
		}
	}
	// The cycle that loaded them says it listed the fact tables too.
	if found.Scope != "runs+facts" {
		t.Errorf("the run tick that loaded the fact files has scope %q; want runs+facts", found.Scope)
	}
	// Found, the fact files are left to the facts tick again: a run tick
	// lists the run folders alone.
	facts, _ := filepath.Glob(filepath.Join(f.dir, "metadata", "*", "*.parquet"))
	if c := next(); c.Report.Listed != found.Report.Listed-len(facts) {
		t.Errorf("a run tick after the fact files loaded listed %d objects; want %d, the run folders' alone",
			c.Report.Listed, found.Report.Listed-len(facts))
	}
	f.shutdown()
	if got := f.query(`SELECT count(*) FROM synctrack.destinations`); got[0] == "0" {
		t.Error("destinations has no rows")
	}
}

// A bucket whose vendor writes no fact files there had metadata/ listed,
// and its ledger read, on every run tick for the daemon's life: a billed
// LIST request and a warehouse query per tick, forever (found by a
// review). The vendor refreshes the fact tables every six hours, so the
// first ones come within a facts period of the first runs: a facts period
// after the first run files, the facts schedule alone lists metadata/.
func TestNoFactFilesLeftToTheFactsSchedule(t *testing.T) {
	f := newFixture(t)
	if err := os.RemoveAll(filepath.Join(f.dir, "metadata")); err != nil {
		t.Fatal(err)
	}
	var clock atomic.Int64
	clock.Store(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC).UnixNano())
	f.now = func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	var logs syncBuffer
	f.logger = slog.New(slog.NewTextHandler(&logs, nil))
	f.start(daemon.Config{Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 6h"}}})
	if c := f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" }); c.Err != nil {
		t.Fatalf("startup: %v", c.Err)
	}
	// Within a facts period of the runs, a run tick looks at metadata/ too.
	if c := f.waitCycle("a run tick", func(c daemon.Cycle) bool { return strings.HasPrefix(c.Scope, "runs") }); c.Scope != "runs+facts" {
		t.Fatalf("a run tick within a facts period of the runs has scope %q; want runs+facts", c.Scope)
	}
	clock.Add(int64(6*time.Hour + time.Minute))
	f.waitCycle("a run tick", func(c daemon.Cycle) bool { return strings.HasPrefix(c.Scope, "runs") }) // may have begun before
	for range 2 {
		if c := f.waitCycle("a run tick", func(c daemon.Cycle) bool { return strings.HasPrefix(c.Scope, "runs") }); c.Scope != "runs" {
			t.Errorf("a run tick a facts period after the runs, no fact file found, has scope %q; want runs", c.Scope)
		}
	}
	if n := strings.Count(logs.String(), "no fact files under metadata/"); n != 1 {
		t.Errorf("said %d times that metadata/ is left to the facts schedule; want once:\n%s", n, logs.String())
	}
}
