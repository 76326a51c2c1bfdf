package daemon_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
)

// A cycle whose one new object failed ends well (the failure is the
// object's) and says so in LastCycle, which the home page reads: it
// said nothing loaded and no error, read as "nothing new" (a user audit).
func TestLastCycleCountsItsFailedObjects(t *testing.T) {
	f := newFixture(t)
	f.start(daemon.Config{Retry: daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 1},
		Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 1h"}}})
	f.waitCycle("first load", func(c daemon.Cycle) bool { return len(c.Loaded) > 0 })
	bad := filepath.Join(f.dir, filepath.FromSlash(f.runFolders()[0]), "records_updated.9.parquet")
	if err := os.WriteFile(bad, []byte("junk, no parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour) // written whole long ago: no --settle wait
	if err := os.Chtimes(bad, old, old); err != nil {
		t.Fatal(err)
	}
	c := f.waitCycle("the bad file's", func(c daemon.Cycle) bool { return c.Report != nil && len(c.Report.Failed) > 0 })
	if c.Err != nil {
		t.Fatalf("the cycle failed: %v", c.Err)
	}
	last, ok := f.d.LastCycle("default")
	if !ok || last.Failed != 1 || last.Loaded != 0 || last.Err != "" {
		t.Errorf("last cycle %+v, want 1 failed, none loaded, no error", last)
	}
}
