package daemon_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gocloud.dev/pubsub"
	"gocloud.dev/pubsub/mempubsub"

	"github.com/synctrack/synctrack/daemon"
)

// The start log says events are on, naming the subscription without its
// secrets: before, nothing in the log told a daemon driven by notifications
// from one that polls.
func TestEventsOnSaidAtStart(t *testing.T) {
	const url = "mem://synctrack:hunter2@sync-logs?endpoint=http://u:pw2@localhost:9324&token=t0ken"
	f := newFixture(t)
	top := mempubsub.NewTopic()
	t.Cleanup(func() { _ = top.Shutdown(context.Background()) })
	f.reg = prometheus.NewRegistry()
	f.openSub = func(context.Context, string) (*pubsub.Subscription, error) {
		return mempubsub.NewSubscription(top, time.Minute), nil
	}
	var logs syncBuffer
	f.logger = slog.New(slog.NewTextHandler(&logs, nil))
	cfg := eventsConfig()
	cfg.Targets[0].Events = url
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" })
	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "events on") {
			line = l
		}
	}
	if line == "" || !strings.Contains(line, "subscription=") || !strings.Contains(line, "sync-logs") ||
		!strings.Contains(line, "reconcile=\"@every 1h\"") {
		t.Fatalf("no start line saying events are on, with the subscription:\n%s", logs.String())
	}
	for _, secret := range []string{"hunter2", "pw2", "t0ken"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log has the subscription's secret %q:\n%s", secret, line)
		}
	}
	t.Log(line)
}
