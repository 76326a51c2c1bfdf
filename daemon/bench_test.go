package daemon_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
)

// TestLatencyBenchmark measures arrival -> queryable: from a file landing in
// the bucket to the cycle that committed its rows, over 20 arrivals at random
// moments, with a 1 s schedule and with the webhook. It reports; it asserts
// nothing about time. SYNCTRACK_BENCH=1 go test -run LatencyBenchmark -v ./daemon
func TestLatencyBenchmark(t *testing.T) {
	if os.Getenv("SYNCTRACK_BENCH") == "" {
		t.Skip("set SYNCTRACK_BENCH=1 to run the latency benchmark")
	}
	const n, secret = 20, "bench"
	for _, mode := range []string{"schedule 1s", "webhook"} {
		f := newFixture(t)
		cfg := daemon.Config{Listen: "127.0.0.1:0", WebhookSecret: secret,
			Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 1h"}}}
		if mode == "webhook" {
			cfg.Targets[0].Schedule = "@every 1h"
		}
		f.start(cfg)
		f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" })
		src := f.runFolders()[0]
		var lat []time.Duration
		for i := range n {
			time.Sleep(rand.N(time.Second)) // arrive at a random point of the schedule
			run := fmt.Sprintf("bench-%d", i)
			start := time.Now()
			keys := f.newRun(src, run)
			if mode == "webhook" {
				body := fmt.Sprintf(`{"type":"sync.completed","org_id":"%s","sync_id":"%s","sync_run_id":"%s"}`,
					strings.Split(src, "/")[1], strings.Split(src, "/")[2], run)
				if code := post(t, "http://"+f.d.Addr()+"/webhook", body, sign(secret, body)); code != 202 {
					t.Fatalf("webhook %d", code)
				}
			}
			f.waitCycle("loading "+keys[len(keys)-1], loadedKey(keys[len(keys)-1]))
			lat = append(lat, time.Since(start))
		}
		f.shutdown()
		slices.Sort(lat)
		t.Logf("%-12s arrival->queryable over %d arrivals: median %v, min %v, max %v", mode, n,
			lat[n/2].Round(time.Millisecond), lat[0].Round(time.Millisecond), lat[n-1].Round(time.Millisecond))
	}
}
