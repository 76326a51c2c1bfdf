package daemon

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// fakeClock is the daemon's clock in tests: each After hands the test its
// channel, so the test decides when a heartbeat fires and what time it is.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits chan chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), waits: make(chan chan time.Time)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.waits <- ch
	return ch
}

// fire moves the clock to t0+at and ends the heartbeat's wait.
func (c *fakeClock) fire(w chan time.Time, at time.Duration) {
	c.mu.Lock()
	c.now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(at)
	c.mu.Unlock()
	w <- c.Now()
}

func leaseTarget(clk *fakeClock, holder string) *target {
	d := &Daemon{cfg: Config{LeaseTTL: 10 * time.Minute}, deps: Deps{Now: clk.Now, After: clk.After},
		m: newMetrics(prometheus.NewRegistry()), log: slog.New(slog.NewTextHandler(io.Discard, nil)), holder: holder}
	return &target{d: d, cfg: Target{Name: "t"}, log: d.log}
}

// A load longer than the lease TTL keeps its lease: the heartbeat renews it,
// so another daemon cannot take it when the first TTL runs out. When another
// daemon has taken it all the same, the load's context ends with errLeaseLost.
func TestLeaseHeartbeatDuckDB(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	c, _ := duckdb.ParseURL("duckdb://" + filepath.Join(t.TempDir(), "w.duckdb"))
	wh, err := duckdb.Open(ctx, c, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	tg := leaseTarget(clk, "A")
	lctx, release, err := tg.hold(ctx, wh)
	if err != nil {
		t.Fatal(err)
	}
	clk.fire(<-clk.waits, 8*time.Minute) // the load runs on; a heartbeat
	w := <-clk.waits                     // the renewal is done: the next wait began
	clk.mu.Lock()
	clk.now = clk.now.Add(7 * time.Minute) // 15 min: past the first TTL, within the renewed one
	clk.mu.Unlock()
	if ok, holder, _, err := wh.AcquireLease(ctx, leaseName, "B", 10*time.Minute); err != nil || ok || holder != "A" {
		t.Fatalf("B took the lease at 15 min: ok %v, holder %q, %v; the heartbeat should have kept it for A", ok, holder, err)
	}
	if lctx.Err() != nil {
		t.Fatal("the load stopped while its lease was renewed")
	}
	// A stalled heartbeat lets the lease expire (18 min) and B takes it at 30.
	clk.mu.Lock()
	clk.now = time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC)
	clk.mu.Unlock()
	if ok, _, _, err := wh.AcquireLease(ctx, leaseName, "B", 10*time.Minute); err != nil || !ok {
		t.Fatalf("B could not take the expired lease: %v %v", ok, err)
	}
	clk.fire(w, 31*time.Minute) // A's next heartbeat finds B
	<-lctx.Done()
	if cause := context.Cause(lctx); !errors.Is(cause, errLeaseLost) {
		t.Fatalf("load stopped by %v, want errLeaseLost", cause)
	}
	err = leaseErr(lctx, context.Canceled)
	if cl, reason, _ := classify(err); cl != busy || reason != "lease_lost" {
		t.Fatalf("%v: class %v %s, want busy lease_lost", err, cl, reason)
	}
	release() // must not free B's lease
	if ok, holder, _, _ := wh.AcquireLease(ctx, leaseName, "C", 10*time.Minute); ok || holder != "B" {
		t.Fatalf("after A released: ok %v, holder %q; want B's lease kept", ok, holder)
	}
}

// failingLeaser takes the lease once, then every renewal errors.
type failingLeaser struct{ n int }

func (f *failingLeaser) AcquireLease(context.Context, string, string, time.Duration) (bool, string, time.Time, error) {
	f.n++
	if f.n == 1 {
		return true, "A", time.Time{}, nil
	}
	return false, "", time.Time{}, errors.New("connection reset")
}
func (f *failingLeaser) ReleaseLease(context.Context, string, string) error { return nil }

// Renewals that fail for a whole TTL stop the load: the lease may have
// expired and gone to another daemon. Failures within the TTL do not.
func TestLeaseHeartbeatStopsWhenNotRenewed(t *testing.T) {
	clk := newFakeClock()
	tg := leaseTarget(clk, "A")
	lctx, release, err := tg.hold(context.Background(), &failingLeaser{})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	clk.fire(<-clk.waits, 4*time.Minute)
	clk.fire(<-clk.waits, 8*time.Minute)
	if lctx.Err() != nil {
		t.Fatal("stopped within the TTL")
	}
	clk.fire(<-clk.waits, 12*time.Minute)
	<-lctx.Done()
	if !errors.Is(context.Cause(lctx), errLeaseLost) {
		t.Fatalf("cause %v", context.Cause(lctx))
	}
}
