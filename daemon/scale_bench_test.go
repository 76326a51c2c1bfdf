package daemon_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gocloud.dev/blob"
	"gocloud.dev/pubsub"
	"gocloud.dev/pubsub/mempubsub"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/internal/synthbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// benchObjects is the bucket size of the scale benchmarks (SYNCTRACK_BENCH_OBJECTS).
func benchObjects(t *testing.T) int {
	if os.Getenv("SYNCTRACK_BENCH") == "" {
		t.Skip("set SYNCTRACK_BENCH=1 to run the scale benchmark")
	}
	n := 1_000_000
	if s := os.Getenv("SYNCTRACK_BENCH_OBJECTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	return n
}

// fillLedger gives a DuckDB warehouse n loaded ledger rows, one per object
// of synthbucket.Open(n).
func fillLedger(t *testing.T, path string, n int) {
	t.Helper()
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "512MB"}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.DB().Exec(`INSERT INTO synctrack.load_ledger (key, etag, size, kind, status, rows, attempts, first_seen_at, loaded_at)
SELECT `+synthbucket.KeySQL+`, ?, 9, 'records', 'loaded', 2, 1, now(), now() FROM range(?) t(i)`, synthbucket.ETag(), n); err != nil {
		t.Fatal(err)
	}
}

// procStatus reads a /proc/self/status field in MiB.
func procStatus(t *testing.T, field string) float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == field+":" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// resetPeak starts a new VmHWM window, and a new window of heapPeak.
func resetPeak(t *testing.T) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Fatal(err)
	}
	heapMax.Store(0)
}

// heapMax is the largest live Go heap (objects, MiB) sampled every 20 ms
// since resetPeak: what of the RSS is synctrack's Go side, not DuckDB's.
var heapMax atomic.Uint64

func sampleHeap(stop <-chan struct{}) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	for {
		select {
		case <-stop:
			return
		case <-time.After(20 * time.Millisecond):
		}
		metrics.Read(s)
		v := s[0].Value.Uint64() >> 20
		for cur := heapMax.Load(); v > cur && !heapMax.CompareAndSwap(cur, v); cur = heapMax.Load() {
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// scaleDaemon runs a daemon over a synthetic bucket and the warehouse at db,
// and returns its cycles, the bucket's LIST counter and a stop function.
func scaleDaemon(t *testing.T, db string, n int, tg daemon.Target, reg *prometheus.Registry) (chan daemon.Cycle, *synthbucket.Bucket, func()) {
	b, sb := synthbucket.Open(n)
	top := mempubsub.NewTopic()
	cycles := make(chan daemon.Cycle, 1000)
	tg.Bucket, tg.Warehouse = "synth://", "duckdb://"+db
	d, err := daemon.New(context.Background(), daemon.Config{Targets: []daemon.Target{tg}}, daemon.Deps{
		OpenBucket:    func(context.Context, string) (*blob.Bucket, string, error) { return b, "", nil },
		OpenWarehouse: openDuck,
		OpenSubscription: func(context.Context, string) (*pubsub.Subscription, error) {
			return mempubsub.NewSubscription(top, time.Minute), nil
		},
		Registry: reg,
		OnCycle:  func(c daemon.Cycle) { cycles <- c },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	return cycles, sb, func() { cancel(); <-done }
}

func next(t *testing.T, cycles chan daemon.Cycle, scope string) daemon.Cycle {
	t.Helper()
	for c := range cycles {
		if c.Err != nil {
			t.Fatalf("cycle %s: %v", c.Scope, c.Err)
		}
		if c.Scope == scope {
			return c
		}
	}
	panic("unreachable")
}

// histSum is the sum of synctrack_load_duration_seconds for one scope label.
func histSum(t *testing.T, reg *prometheus.Registry, label string) float64 {
	fams, _ := reg.Gather()
	for _, f := range fams {
		if f.GetName() == "synctrack_load_duration_seconds" {
			for _, m := range f.Metric {
				for _, l := range m.Label {
					if l.GetName() == "scope" && l.GetValue() == label {
						return m.GetHistogram().GetSampleSum()
					}
				}
			}
		}
	}
	return 0
}

// TestScaleBenchmark: a bucket of a million objects, all loaded. With events:
// the full listing at startup, then idle ticks (LIST calls, CPU, RSS), then a
// reconciliation (time, peak RSS). Without events: a listing cycle. And, as
// the baseline in the same process, the plan the old way: the whole ledger
// read into a map, then the listing. Reports; asserts nothing about time.
// SYNCTRACK_BENCH=1 go test -run ScaleBenchmark -v -timeout 30m ./daemon
func TestScaleBenchmark(t *testing.T) {
	n := benchObjects(t)
	defer debug.SetGCPercent(debug.SetGCPercent(50)) // as synctrack run sets it (GOGC=50 unless set)
	stopSampler := make(chan struct{})
	defer close(stopSampler)
	go sampleHeap(stopSampler)
	db := filepath.Join(t.TempDir(), "w.duckdb")
	start := time.Now()
	fillLedger(t, db, n)
	t.Logf("%d objects; ledger filled in %v; RSS %.0f MiB (GOGC 50, as synctrack run)", n, time.Since(start).Round(time.Millisecond), procStatus(t, "VmRSS"))

	// With events: startup listing, then 20 idle ticks.
	reg := prometheus.NewRegistry()
	resetPeak(t)
	cycles, sb, stop := scaleDaemon(t, db, n, daemon.Target{Schedule: "@every 1s", Events: "mem://x", ReconcileSchedule: "@every 1h"}, reg)
	c := next(t, cycles, "startup")
	t.Logf("events, startup listing: listed %d, up to date %d, %.1f s, peak RSS %.0f MiB (Go heap %d MiB), LIST calls %d",
		c.Report.Listed, c.Report.UpToDate, histSum(t, reg, "all"), procStatus(t, "VmHWM"), heapMax.Load(), sb.Lists.Load())
	next(t, cycles, "tick")
	resetPeak(t)
	lists, cpu, wall := sb.Lists.Load(), cpuTime(), time.Now()
	const ticks = 20
	for range ticks {
		next(t, cycles, "tick")
	}
	t.Logf("events, idle ticks: %d ticks, LIST calls %d, process CPU per tick %.1f ms (over %.1f s of wall time), RSS %.0f MiB, peak %.0f MiB",
		ticks, sb.Lists.Load()-lists, float64(cpuTime()-cpu)/float64(time.Millisecond)/ticks, time.Since(wall).Seconds(),
		procStatus(t, "VmRSS"), procStatus(t, "VmHWM"))
	stop()

	// With events: a reconciliation.
	reg = prometheus.NewRegistry()
	cycles, sb, stop = scaleDaemon(t, db, n, daemon.Target{Schedule: "@every 1h", Events: "mem://x", ReconcileSchedule: "@every 2s"}, reg)
	next(t, cycles, "startup")
	resetPeak(t)
	before, lists := histSum(t, reg, "all"), sb.Lists.Load()
	c = next(t, cycles, "reconcile")
	t.Logf("events, reconciliation: listed %d, found %d, %.1f s, LIST calls %d, peak RSS %.0f MiB (Go heap %d MiB)",
		c.Report.Listed, len(c.Loaded), histSum(t, reg, "all")-before, sb.Lists.Load()-lists, procStatus(t, "VmHWM"), heapMax.Load())
	stop()

	// Without events: a listing cycle (the schedule's tick).
	reg = prometheus.NewRegistry()
	cycles, sb, stop = scaleDaemon(t, db, n, daemon.Target{Schedule: "@every 2s", FactsSchedule: "@every 1h"}, reg)
	next(t, cycles, "startup")
	resetPeak(t)
	lists = sb.Lists.Load()
	c = next(t, cycles, "runs")
	t.Logf("no events, listing cycle: listed %d, %.1f s, LIST calls %d, peak RSS %.0f MiB (Go heap %d MiB)",
		c.Report.Listed, histSum(t, reg, "runs"), sb.Lists.Load()-lists, procStatus(t, "VmHWM"), heapMax.Load())
	stop()

	// Baseline: the old plan, the whole ledger in a map.
	b, _ := synthbucket.Open(n)
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: db, Schema: "synctrack", MemoryLimit: "512MB", ReadOnly: true}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	resetPeak(t)
	wall = time.Now()
	l := loader.Ledger{}
	if err := w.ScanLedger(context.Background(), "", func(v warehouse.LedgerVersion) error {
		l[v.Key] = append(l[v.Key], loader.Version{ETag: v.ETag, Status: v.Status, Attempts: v.Attempts})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p, err := loader.PlanBucket(context.Background(), b, "", l)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Logf("baseline, whole ledger as a map: listed %d, up to date %d, %.1f s, peak RSS %.0f MiB (Go heap %d MiB; %d keys held)",
		p.Listed, p.UpToDate, time.Since(wall).Seconds(), procStatus(t, "VmHWM"), heapMax.Load(), len(l))
}
