package daemon_test

import (
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
)

// A reason a message is dropped for is logged above debug once every ten
// minutes: the repeats within them at debug, and the first after them at
// its level again, counting the repeats (more_since).
func TestEventsDroppedSaidAgainAfterTenMinutes(t *testing.T) {
	f := newFixture(t)
	top := memEvents(t, f, time.Minute)
	var logs syncBuffer
	f.logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var ahead atomic.Int64 // how far the daemon's clock is ahead of the real one
	f.now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	f.start(eventsConfig())
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	for range 3 {
		publish(t, top, []byte("\x00not json"), nil)
	}
	f.waitMetric(3, "synctrack_events_total", "result", "malformed")
	warn := `level=WARN msg="events: a message no known notification shape reads; acknowledged and dropped"`
	debug := `level=DEBUG msg="events: a message no known notification shape reads; acknowledged and dropped"`
	if w, d := strings.Count(logs.String(), warn), strings.Count(logs.String(), debug); w != 1 || d != 2 {
		t.Fatalf("three malformed messages: %d WARN and %d DEBUG lines, want 1 and 2:\n%s", w, d, logs.String())
	}
	ahead.Store(int64(10 * time.Minute))
	publish(t, top, []byte("\x00not json"), nil)
	f.waitMetric(4, "synctrack_events_total", "result", "malformed")
	if w := strings.Count(logs.String(), warn); w != 2 || !strings.Contains(logs.String(), "more_since=2") {
		t.Errorf("ten minutes on, the same reason: %d WARN lines (want 2), the second counting 2 repeats:\n%s", w, logs.String())
	}
}
