package daemon

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"

	"github.com/synctrack/synctrack/warehouse"
)

// never is a clock whose timers never fire: a wait on it ends only by shutdown.
func never(time.Duration) <-chan time.Time { return nil }

// A backoff wait ends at once when the daemon shuts down: with a clock that
// never fires, retry returns only because stop ended, after one attempt.
func TestRetryWaitStopsOnShutdown(t *testing.T) {
	r := Retry{Base: time.Hour, Max: time.Hour, Attempts: 5}
	stop, cancel := context.WithCancel(context.Background())
	calls := 0
	busyErr := &warehouse.Error{Class: warehouse.Transient, Reason: "locked", Err: errors.New("IO Error: Could not set lock on file")}
	err := r.retry(stop, never, classify, func() error { calls++; return busyErr },
		func(_ error, c class, _ string, _ int, _ time.Duration) {
			if c != busy {
				t.Errorf("class %v, want busy", c)
			}
			cancel() // SIGTERM arrives while the cycle waits
		})
	if !errors.Is(err, busyErr) || calls != 1 {
		t.Fatalf("retry after shutdown: %d calls, %v", calls, err)
	}
	// Stopped, not failed: the cycle is not logged and counted as a failure
	// of the warehouse it was waiting for (found by a review).
	if c, _, _ := classify(err); c != stopped {
		t.Errorf("a wait ended by shutdown classes as %v, want stopped", c)
	}
}

// A stop that lands while a try runs (before the wait after it begins)
// stops the cycle too: it was returned as a failure of the try's error
// (seen in CI as TestShutdownDuringBackoff failing now and then).
func TestRetryStoppedDuringTry(t *testing.T) {
	r := Retry{Base: time.Hour, Max: time.Hour, Attempts: 5}
	stop, cancel := context.WithCancel(context.Background())
	busyErr := &warehouse.Error{Class: warehouse.Transient, Reason: "locked", Err: errors.New("IO Error: Could not set lock on file")}
	calls := 0
	err := r.retry(stop, never, classify, func() error { calls++; cancel(); return busyErr },
		func(error, class, string, int, time.Duration) { t.Error("waited after a try the stop landed in") })
	if c, _, _ := classify(err); c != stopped || !errors.Is(err, busyErr) || calls != 1 {
		t.Fatalf("a stop during a try: %d calls, %v (%v), want stopped, saying what it tried", calls, err, c)
	}
}

// A daemon whose cycle is waiting out an hour's backoff (the warehouse is
// locked by a reader) stops at once on shutdown: Run returns without the wait
// or the hour's grace period running out.
func TestShutdownDuringBackoff(t *testing.T) {
	attempted := make(chan struct{}, 10)
	cycles := make(chan Cycle, 10)
	cfg := Config{Targets: []Target{{Bucket: "mem://", Warehouse: "duckdb:///x.duckdb", Schedule: "@every 1h"}},
		Grace: new(time.Hour), Retry: Retry{Base: time.Hour, Max: time.Hour, Attempts: 5}}
	d, err := New(context.Background(), cfg, Deps{
		OpenBucket: func(context.Context, string) (*blob.Bucket, string, error) { return memblob.OpenBucket(nil), "", nil },
		OpenWarehouse: func(context.Context, string, *blob.Bucket, string, bool) (warehouse.Warehouse, error) {
			attempted <- struct{}{}
			return nil, &warehouse.Error{Class: warehouse.Transient, Reason: "locked", Err: errors.New("IO Error: Could not set lock on file: Conflicting lock is held")}
		},
		OnCycle: func(c Cycle) { cycles <- c },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	<-attempted // the first attempt failed: the cycle now backs off for up to an hour
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c := <-cycles
	if cl, _, _ := classify(c.Err); cl != stopped || !strings.Contains(c.Err.Error(), "Could not set lock") {
		t.Fatalf("cycle ended with %v (%v), want stopped, saying what it waited for", c.Err, cl)
	}
	if n := len(attempted); n != 0 {
		t.Fatalf("%d more attempts after shutdown", n)
	}
}
