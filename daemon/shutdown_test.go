package daemon

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"

	"github.com/synctrack/synctrack/warehouse"
)

// A grace period of 0 is kept as written: WithDefaults used to turn it into
// the default 30s, so `--grace-period 0s` waited 30s. Unset takes the default.
func TestGraceZeroIsNone(t *testing.T) {
	if g := *(Config{Grace: new(time.Duration(0))}).WithDefaults().Grace; g != 0 {
		t.Errorf("grace 0 became %v", g)
	}
	if g := *(Config{}).WithDefaults().Grace; g != DefaultGrace {
		t.Errorf("unset grace became %v, want %v", g, DefaultGrace)
	}
}

// inFlight is a daemon whose first cycle is in flight until its context is
// cancelled (the warehouse's open waits for it), on a clock whose timers
// never fire: the grace period never runs out by itself.
type inFlight struct {
	d       *Daemon
	entered chan struct{} // the cycle is in flight
	cycles  chan Cycle
	log     *syncBuffer
}

func newInFlight(t *testing.T, cfg Config, deps Deps) *inFlight {
	t.Helper()
	f := &inFlight{entered: make(chan struct{}, 1), cycles: make(chan Cycle, 10), log: &syncBuffer{}}
	cfg.Targets = []Target{{Bucket: "mem://", Warehouse: "duckdb:///x.duckdb", Schedule: "@every 1h"}}
	cfg.Retry = Retry{Base: time.Hour, Max: time.Hour, Attempts: 1}
	deps.Logger = slog.New(slog.NewTextHandler(f.log, nil))
	deps.After = never
	deps.OpenBucket = func(context.Context, string) (*blob.Bucket, string, error) { return memblob.OpenBucket(nil), "", nil }
	deps.OpenWarehouse = func(ctx context.Context, _ string, _ *blob.Bucket, _ string, _ bool) (warehouse.Warehouse, error) {
		f.entered <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	}
	deps.OnCycle = func(c Cycle) { f.cycles <- c }
	d, err := New(context.Background(), cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	f.d = d
	return f
}

// stop starts the daemon, stops it (SIGTERM) once its cycle is in flight,
// calls then, and waits for Run to return, failing if it hangs.
func (f *inFlight) stop(t *testing.T, then func()) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.d.Run(ctx) }()
	<-f.entered
	stop()
	then()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute): // a hang, not a slow run
		t.Fatalf("Run did not return: the cycle in flight was never cancelled\n%s", f.log)
	}
	if c := <-f.cycles; !strings.Contains(c.Err.Error(), "context canceled") {
		t.Fatalf("the cycle in flight ended with %v, want cancelled", c.Err)
	}
}

// With no grace period, the stop cancels the cycle in flight at once.
func TestNoGraceCancelsAtOnce(t *testing.T) {
	f := newInFlight(t, Config{Grace: new(time.Duration(0))}, Deps{})
	f.stop(t, func() {})
	if !strings.Contains(f.log.String(), "no grace period: cancelling the load in flight") {
		t.Errorf("the log does not say the load in flight was cancelled at once:\n%s", f.log)
	}
}

// Deps.Abort closing during the grace period (a second SIGTERM) cancels the
// cycle in flight at once: with an hour's grace on a clock that never fires,
// only the abort can end it. It used to wait out the grace period.
func TestAbortCancelsAtOnce(t *testing.T) {
	abort := make(chan struct{})
	f := newInFlight(t, Config{Grace: new(time.Hour)}, Deps{Abort: abort})
	f.stop(t, func() { close(abort) })
	log := f.log.String()
	for _, want := range []string{"waiting for the load in flight", "press Ctrl-C again", "stopping now, as asked again: cancelling the load in flight"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not say %q:\n%s", want, log)
		}
	}
}

// syncBuffer is a bytes.Buffer the daemon's goroutines may log to at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A stop with no load in flight says so, not that it waits for one.
func TestDrainWithNothingInFlight(t *testing.T) {
	var log syncBuffer
	d := &Daemon{log: slog.New(slog.NewTextHandler(&log, nil)), cfg: Config{Grace: new(time.Hour)}}
	done := make(chan struct{})
	close(done)
	d.drain(done, func() {})
	if s := log.String(); !strings.Contains(s, "stopping: no load in flight") || strings.Contains(s, "waiting for the load in flight") {
		t.Errorf("an idle stop logged:\n%s", s)
	}
}

// A stop while idle, before the targets' loops have seen it, says there is
// no load in flight: it said it waited for one.
func TestDrainWhileTheLoopsHaveNotSeenTheStop(t *testing.T) {
	var log syncBuffer
	d := &Daemon{log: slog.New(slog.NewTextHandler(&log, nil)), cfg: Config{Grace: new(time.Hour)}, targets: []*target{{}}}
	done := make(chan struct{})
	d.drain(done, sync.OnceFunc(func() { close(done) }))
	if s := log.String(); !strings.Contains(s, "stopping: no load in flight") || strings.Contains(s, "waiting for the load in flight") {
		t.Errorf("an idle stop logged:\n%s", s)
	}
}

// A loop that ended between the read of its state and the check of done
// is no load in flight either (a review).
func TestDrainAfterTheLoopsEnded(t *testing.T) {
	var log syncBuffer
	tg := &target{}
	tg.loading.Store(true) // read as loading, yet its loop has ended
	d := &Daemon{log: slog.New(slog.NewTextHandler(&log, nil)), cfg: Config{Grace: new(time.Duration)}, targets: []*target{tg}}
	done := make(chan struct{})
	close(done)
	d.drain(done, func() {})
	if s := log.String(); !strings.Contains(s, "stopping: no load in flight") || strings.Contains(s, "cancelling the load in flight") {
		t.Errorf("a stop after the loops ended logged:\n%s", s)
	}
}

// Once a stop is asked, a delivery accepted (202) would be dropped with the
// process: it gets 503 and Retry-After, so the sender's retry reaches the
// next one; /readyz says the daemon is stopping.
func TestWebhookWhileStopping(t *testing.T) {
	d := &Daemon{cfg: Config{WebhookSecret: "k", WebhookMaxBytes: 4096}, m: newMetrics(prometheus.NewRegistry()),
		log: slog.New(slog.NewTextHandler(io.Discard, nil)), deps: Deps{Now: time.Now}}
	if rec := deliver(d); rec.Code != http.StatusAccepted {
		t.Fatalf("before the stop: %d %s", rec.Code, rec.Body)
	}
	d.stopping.Store(true)
	checkStopping(t, d)
}

// Run says it is stopping for the whole grace period, while the load in
// flight finishes: set by Run, not only by a test.
func TestStoppingDuringTheGracePeriod(t *testing.T) {
	abort := make(chan struct{})
	f := newInFlight(t, Config{Grace: new(time.Hour), WebhookSecret: "k"}, Deps{Abort: abort})
	f.stop(t, func() {
		for end := time.Now().Add(10 * time.Second); !strings.Contains(f.log.String(), "waiting for the load in flight"); {
			if time.Now().After(end) {
				t.Fatalf("no grace wait began:\n%s", f.log)
			}
			time.Sleep(10 * time.Millisecond)
		}
		checkStopping(t, f.d)
		close(abort)
	})
}

// deliver posts a signed sync.completed to d's /webhook.
func deliver(d *Daemon) *httptest.ResponseRecorder {
	body := `{"type":"sync.completed","org_id":"1","sync_id":"2","sync_run_id":"3"}`
	m := hmac.New(sha256.New, []byte(d.cfg.WebhookSecret))
	m.Write([]byte(body))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(body))
	req.Header.Set("X-Signature", hex.EncodeToString(m.Sum(nil)))
	d.Handler().ServeHTTP(rec, req)
	return rec
}

// checkStopping checks that d answers a delivery 503 with Retry-After and
// /readyz 503 "stopping".
func checkStopping(t *testing.T, d *Daemon) {
	t.Helper()
	if rec := deliver(d); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("while stopping: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	rec := httptest.NewRecorder()
	d.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "stopping") {
		t.Errorf("/readyz while stopping: %d %s", rec.Code, rec.Body)
	}
}

// A stop while a cycle waits for a warehouse another process holds (a
// DuckDB file's lock) says so: it said it waited for the load in flight
// and that the batch in flight rolled back, though no load had started.
func TestStopWhileWaitingForTheLock(t *testing.T) {
	var log syncBuffer
	cycles := make(chan Cycle, 10)
	cfg := Config{Targets: []Target{{Bucket: "mem://", Warehouse: "duckdb:///x.duckdb", Schedule: "@every 1h"}},
		Grace: new(time.Hour), Retry: Retry{Base: time.Hour, Max: time.Hour, Attempts: 5}}
	d, err := New(context.Background(), cfg, Deps{
		Logger:     slog.New(slog.NewTextHandler(&log, nil)),
		After:      never,
		OpenBucket: func(context.Context, string) (*blob.Bucket, string, error) { return memblob.OpenBucket(nil), "", nil },
		OpenWarehouse: func(context.Context, string, *blob.Bucket, string, bool) (warehouse.Warehouse, error) {
			return nil, &warehouse.Error{Class: warehouse.Transient, Reason: "locked", Err: errors.New("IO Error: Could not set lock on file")}
		},
		OnCycle: func(c Cycle) { cycles <- c },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	for deadline := time.Now().Add(time.Minute); d.targets[0].waiting.Load() == nil; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the cycle never waited for the lock:\n%s", log.String())
		}
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute): // a hang: the wait did not end on the stop
		t.Fatalf("Run did not return:\n%s", log.String())
	}
	if c := <-cycles; !errors.Is(c.Err, context.Canceled) {
		t.Fatalf("the waiting cycle ended with %v, want stopped", c.Err)
	}
	// The stop ends the wait at once: the loop may end before drain looks
	// (then "stopping: no load in flight"; TestDrainWhileWaiting has the other).
	s := log.String()
	if !strings.Contains(s, "cycle stopped by shutdown while waiting for the warehouse (another process holds it); no load had started") {
		t.Errorf("the log does not say the cycle stopped while waiting for the lock:\n%s", s)
	}
	for _, not := range []string{"waiting for the load in flight", "batch in flight"} {
		if strings.Contains(s, not) {
			t.Errorf("the log says %q, though no load ran:\n%s", not, s)
		}
	}
}

// A stop while the only cycle waits between two tries says so, and that no
// load is in flight, whatever the grace period: it said it waited for the
// load in flight.
func TestDrainWhileWaiting(t *testing.T) {
	for _, c := range []struct {
		class class
		want  string
	}{
		{busy, "stopping while waiting for the warehouse (another process holds it): no load in flight"},
		{transient, "stopping while waiting to try again: no load in flight"},
	} {
		var log syncBuffer
		tg := &target{}
		tg.loading.Store(true)
		tg.waiting.Store(&c.class)
		d := &Daemon{log: slog.New(slog.NewTextHandler(&log, nil)), cfg: Config{Grace: new(time.Hour)}, targets: []*target{tg},
			deps: Deps{After: never}}
		done := make(chan struct{})
		go func() { time.Sleep(10 * time.Millisecond); close(done) }() // the wait ends on the stop
		d.drain(done, func() { t.Error("cancelled though the wait ended on its own") })
		if s := log.String(); !strings.Contains(s, c.want) || strings.Contains(s, "load in flight\" grace") ||
			strings.Contains(s, "waiting for the load in flight") {
			t.Errorf("a stop while waiting (%v) logged:\n%s", c.class, s)
		}
	}
}

// A stop while waiting after a lost lease says the batch the loss cut short
// rolled back; it said "no load had started" (noticed in a review).
func TestStoppedWhileWaitingSaysWhatRolledBack(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("%w to host-b", errLeaseLost), "another daemon took it); the batch in flight when it was lost had rolled back"},
		{errLeaseHeld, "another daemon holds it); no load had started"},
		{&warehouse.Error{Class: warehouse.Transient, Reason: "locked", Err: errors.New("IO Error: Could not set lock on file")},
			"(another process holds it); no load had started"},
		{&warehouse.Error{Class: warehouse.Transient, Reason: "network", Err: errors.New("connection reset")},
			"waiting to try again; no load was in flight"},
	} {
		cl, reason, _ := classify(c.err)
		if got := stoppedWhileWaiting(cl, reason); !strings.Contains(got, c.want) {
			t.Errorf("%v: said %q, want %q", c.err, got, c.want)
		}
	}
}
