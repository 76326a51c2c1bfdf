package daemon_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
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
	const secret = "bench"
	f.start(daemon.Config{Listen: "127.0.0.1:0", WebhookSecret: secret,
		Targets: []daemon.Target{{Schedule: "@every 1h", Events: "mem://sync-logs", ReconcileSchedule: "@every 1h"}}})
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	src := f.runFolders()[0]
	const runs = 20
	// The baseline, in the same daemon: the vendor's sync.completed webhook,
	// which loads the run folder at once (no debounce, no queue).
	p50 := map[string]time.Duration{}
	for _, mode := range []string{"webhook", "event"} {
		var lat []time.Duration
		for i := range runs {
			time.Sleep(rand.N(time.Second))
			run := fmt.Sprintf("97%s%03d", mode[:1], i)
			keys := f.newRun(src, run)
			start := time.Now()
			if mode == "event" {
				publish(t, top, daemon.NoticeBody(t, "s3_put", "", keys[0]), nil)
			} else {
				body := fmt.Sprintf(`{"type":"sync.completed","org_id":"%s","sync_id":"%s","sync_run_id":"%s"}`,
					strings.Split(src, "/")[1], strings.Split(src, "/")[2], run)
				if code := post(t, "http://"+f.d.Addr()+"/webhook", body, sign(secret, body)); code != 202 {
					t.Fatalf("webhook %d", code)
				}
			}
			f.waitCycle("loading "+keys[0], loadedKey(keys[0]))
			lat = append(lat, time.Since(start))
		}
		slices.Sort(lat)
		p50[mode] = lat[runs/2]
		t.Logf("%-7s -> queryable over %d runs (ledger %d rows + the bucket's): p50 %v, p90 %v, min %v, max %v", mode, runs, n,
			lat[runs/2].Round(time.Millisecond), lat[runs*9/10].Round(time.Millisecond), lat[0].Round(time.Millisecond), lat[runs-1].Round(time.Millisecond))
	}
	f.shutdown()
	t.Logf("event p50 / webhook p50: %.2fx", float64(p50["event"])/float64(p50["webhook"]))
}
