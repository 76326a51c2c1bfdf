package daemon_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
)

// TestEventLatencyBenchmark measures a notification to a queryable row in
// DuckDB: a run folder written, its S3 notification published, until the
// cycle that committed its rows, 20 times at random moments, with the
// default debounce and a ledger of a million rows besides the bucket's own
// (the folder's ledger read is by prefix). Reports; asserts nothing about time.
// SYNCTRACK_BENCH=1 go test -run EventLatencyBenchmark -v ./daemon
func TestEventLatencyBenchmark(t *testing.T) {
	n := benchObjects(t)
	f := newFixture(t)
	fillLedger(t, f.db, n)
	top := memEvents(t, f, time.Minute)
	f.start(daemon.Config{Targets: []daemon.Target{{Schedule: "@every 1h", Events: "mem://sync-logs", ReconcileSchedule: "@every 1h"}}})
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	src := f.runFolders()[0]
	const runs = 20
	var lat []time.Duration
	for i := range runs {
		time.Sleep(rand.N(time.Second))
		keys := f.newRun(src, fmt.Sprintf("97%05d", i))
		start := time.Now()
		publish(t, top, daemon.NoticeBody(t, "s3_put", "", keys[0]), nil)
		f.waitCycle("loading "+keys[0], loadedKey(keys[0]))
		lat = append(lat, time.Since(start))
	}
	f.shutdown()
	slices.Sort(lat)
	t.Logf("event -> queryable over %d runs (ledger %d rows + the bucket's): p50 %v, p90 %v, min %v, max %v", runs, n,
		lat[runs/2].Round(time.Millisecond), lat[runs*9/10].Round(time.Millisecond), lat[0].Round(time.Millisecond), lat[runs-1].Round(time.Millisecond))
}
