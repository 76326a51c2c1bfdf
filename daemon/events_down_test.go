package daemon_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gocloud.dev/pubsub"
	"gocloud.dev/pubsub/mempubsub"

	"github.com/synctrack/synctrack/daemon"
)

// syncBuffer is a log the daemon writes while the test reads it.
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

// While the subscription fails (here: the queue refuses the daemon's
// credentials when it is opened again), nothing brings notifications, so
// --schedule lists the run folders as without events: a new run loads
// without one. The failure is logged once, classified (config:
// credentials), /readyz says notifications are not received (200: loads
// are current), and synctrack_events_receiving is 0. Once the subscription
// opens and a message arrives, a tick lists nothing again.
func TestEventsDownListsOnSchedule(t *testing.T) {
	f := newFixture(t)
	top := mempubsub.NewTopic()
	t.Cleanup(func() { _ = top.Shutdown(context.Background()) })
	var mu sync.Mutex
	var subs []*pubsub.Subscription
	refuse := false
	f.reg = prometheus.NewRegistry()
	f.openSub = func(_ context.Context, u string) (*pubsub.Subscription, error) {
		mu.Lock()
		defer mu.Unlock()
		if refuse {
			return nil, errors.New("operation error SQS: ReceiveMessage, get identity: get credentials: " +
				"failed to refresh cached credentials, no EC2 IMDS role found")
		}
		s := mempubsub.NewSubscription(top, time.Minute)
		subs = append(subs, s)
		return s, nil
	}
	var logs syncBuffer
	f.logger = slog.New(slog.NewTextHandler(&logs, nil))
	cfg := eventsConfig()
	cfg.Targets[0].Schedule = "@every 1s"
	cfg.Retry = daemon.Retry{Base: 10 * time.Millisecond, Max: 40 * time.Millisecond, Attempts: 2}
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	if c := f.waitCycle("a tick", func(c daemon.Cycle) bool { return c.Scope == "tick" }); c.Err != nil || c.Report.Listed != 0 {
		t.Fatalf("a tick while receiving: err %v, listed %d; want nothing listed", c.Err, c.Report.Listed)
	}

	mu.Lock()
	refuse = true
	first := subs[0]
	mu.Unlock()
	if err := first.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	keys := f.newRun(f.runFolders()[0], "9900040")
	c := f.waitCycle("the new run, listed on the schedule", loadedKey(keys[0]))
	if c.Err != nil || !strings.Contains(c.Scope, "runs") || len(c.Loaded) != len(keys) {
		t.Fatalf("cycle %s: err %v, loaded %v; want %v listed by the schedule", c.Scope, c.Err, c.Loaded, keys)
	}
	if n := f.metric("synctrack_events_receiving"); n != 0 {
		t.Errorf("synctrack_events_receiving %v while failing, want 0", n)
	}
	rec := httptest.NewRecorder()
	f.d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if body := rec.Body.String(); rec.Code != 200 || !strings.Contains(body, "default: events not received since") ||
		!strings.Contains(body, "credentials") {
		t.Errorf("/readyz while the subscription fails: %d\n%s", rec.Code, body)
	}
	if ct, ns := rec.Header().Get("Content-Type"), rec.Header().Get("X-Content-Type-Options"); ct != "text/plain; charset=utf-8" || ns != "nosniff" {
		t.Errorf("/readyz quotes errors as %q (X-Content-Type-Options %q), want text/plain, nosniff", ct, ns)
	}
	for _, want := range []string{"level=ERROR", "class=config", "reason=credentials", "fix="} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no %s in the log:\n%s", want, logs.String())
		}
	}
	// err= is the error alone: the fix was in it too, and again in fix=.
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "level=ERROR") && strings.Contains(l, "reason=credentials") && strings.Count(l, "give synctrack credentials") != 1 {
			t.Errorf("the fix is not said once, in fix=:\n%s", l)
		}
	}

	mu.Lock()
	refuse = false
	mu.Unlock()
	keys = f.newRun(f.runFolders()[1], "9900041")
	for {
		mu.Lock()
		n := len(subs)
		mu.Unlock()
		if n == 2 {
			break
		}
		// The reopen comes a schedule period after the refusal: the loads
		// it stands in for list on that schedule meanwhile.
		f.waitCycle("a listing while the subscription is refused", func(c daemon.Cycle) bool { return strings.Contains(c.Scope, "runs") })
	}
	publish(t, top, daemon.NoticeBody(t, "s3_put", "", keys[0]), nil)
	f.waitMetric(1, "synctrack_events_total", "result", "received")
	if c := f.waitCycle("a tick", func(c daemon.Cycle) bool { return c.Scope == "tick" }); c.Err != nil || c.Report.Listed != 0 {
		t.Fatalf("a tick after receiving again: err %v, listed %d; want nothing listed", c.Err, c.Report.Listed)
	}
	if n := f.metric("synctrack_events_receiving"); n != 1 {
		t.Errorf("synctrack_events_receiving %v after receiving again, want 1", n)
	}
	rec = httptest.NewRecorder()
	f.d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != 200 || rec.Body.String() != "ok\n" {
		t.Errorf("/readyz after receiving again: %d\n%s", rec.Code, rec.Body.String())
	}
	if n := strings.Count(logs.String(), "reason=credentials"); n != 1 {
		t.Errorf("the refusal logged %d times at info level or above, want once:\n%s", n, logs.String())
	}
}
