//go:build linux

package daemon_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/daemon"
)

// A file whose name is not UTF-8 that comes while the daemon is idle is
// named on the log once: idle cycles never reached Apply's warning, and a
// warning at every tick (or every load) for a file not yet renamed is noise.
func TestBadNameWhileRunningSaidOnce(t *testing.T) {
	f := newFixture(t)
	f.root = true
	var logs syncBuffer
	f.logger = slog.New(slog.NewTextHandler(&logs, nil))
	f.start(daemon.Config{Listen: "127.0.0.1:0", Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 1h"}}})
	if c := f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" }); c.Err != nil {
		t.Fatalf("startup cycle: %v", c.Err)
	}
	runs := f.runFolders()
	src := f.aParquet(runs[0])
	raw, err := os.ReadFile(filepath.Join(f.dir, filepath.FromSlash(src)))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, filepath.FromSlash(runs[0]), "records_updated.\xff.parquet"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	idle := func(c daemon.Cycle) bool { return c.Err == nil && c.Report != nil && c.Report.Listed > 0 }
	const said = `"object name is not UTF-8: not loaded; rename it"`
	f.waitCycle("idle, with the bad name", idle)
	f.waitCycle("idle again", idle)
	if n := strings.Count(logs.String(), said); n != 1 || !strings.Contains(logs.String(), `records_updated.\\xff.parquet`) {
		t.Fatalf("idle cycles said the bad name %d times, want once, naming it:\n%s", n, logs.String())
	}
	// A load after it does not say it again either.
	late := f.copyObject(src, runs[1]+"records_updated.90.parquet")
	f.waitCycle("loading "+late, loadedKey(late))
	f.waitCycle("idle after the load", idle)
	if n := strings.Count(logs.String(), said); n != 1 {
		t.Fatalf("the bad name said %d times by the end, want once:\n%s", n, logs.String())
	}
}
