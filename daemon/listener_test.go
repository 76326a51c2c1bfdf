package daemon_test

import (
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/internal/httpserver"
)

// The daemon's listener (metrics, health, webhook, with --web the pages)
// closes a kept-alive connection that stays idle after its answer: an
// unauthenticated client held one open for ever, as many as it liked.
func TestDaemonClosesIdleConnections(t *testing.T) {
	defer func(d time.Duration) { httpserver.IdleTimeout = d }(httpserver.IdleTimeout)
	httpserver.IdleTimeout = 50 * time.Millisecond
	f := newFixture(t)
	f.start(daemon.Config{Listen: "127.0.0.1:0", Targets: []daemon.Target{{Schedule: "@every 1h", FactsSchedule: "@every 1h"}}})
	for _, next := range []string{"", "GET"} {
		if err := httpserver.ClosedWhenIdle(f.d.Addr(), "/healthz", next, 30*time.Second); err != nil {
			t.Error(err)
		}
	}
}

// POST /webhook with a body that stops coming is answered (or closed), not
// waited for for ever: the webhook is unauthenticated until its body is
// read, and the daemon listens on every interface by default.
func TestDaemonWebhookGivesUpAStalledBody(t *testing.T) {
	defer func(d time.Duration) { httpserver.BodyTimeout = d }(httpserver.BodyTimeout)
	httpserver.BodyTimeout = 50 * time.Millisecond
	f := newFixture(t)
	f.start(daemon.Config{Listen: "127.0.0.1:0", WebhookSecret: "s3cret", WebhookMaxBytes: 4096,
		Targets: []daemon.Target{{Schedule: "@every 1h", FactsSchedule: "@every 1h"}}})
	if err := httpserver.StalledBody(f.d.Addr(), "/webhook", 30*time.Second); err != nil {
		t.Error(err)
	}
}
