package daemon_test

import (
	"context"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/daemon"
)

// A sync.completed for a run whose metadata.json is in quarantine was
// logged at DEBUG as "complete already (a repeated delivery)": the run has
// no state (its row comes from that file), the completion is lost, and
// only a person (synctrack status, a fixed file, synctrack retry) gets it
// loaded (found by a review). It is said so, as a WARN naming the file.
func TestWebhookQuarantinedMetadataSaid(t *testing.T) {
	const secret = "s3cret"
	f := newFixture(t)
	f.loader.QuarantineAfter = 1
	var logs syncBuffer
	f.logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.start(daemon.Config{Listen: "127.0.0.1:0", WebhookSecret: secret, WebhookMaxBytes: 4096,
		Targets: []daemon.Target{{Schedule: "@every 1h", FactsSchedule: "@every 1h"}}})
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" })
	first := f.runFolders()[0]
	parts := strings.Split(first, "/") // sync_tracking_datasets/ORG/SYNC/RUN/
	run := path.Dir(strings.TrimSuffix(first, "/")) + "/run-held/"
	f.copyObject(f.aParquet(first), run+path.Base(f.aParquet(first)))
	if err := f.bucket.WriteAll(context.Background(), run+"metadata.json", []byte("not json"), nil); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"type":"sync.completed","org_id":"%s","sync_id":"%s","sync_run_id":"run-held"}`, parts[1], parts[2])
	url := "http://" + f.d.Addr() + "/webhook"
	deliver := func() string {
		t.Helper()
		from := len(logs.String())
		if got := post(t, url, body, sign(secret, body)); got != 202 {
			t.Fatalf("webhook: %d", got)
		}
		if c := f.waitCycle("for the webhook", func(c daemon.Cycle) bool { return c.Scope == "webhook" }); c.Err != nil {
			t.Fatalf("webhook cycle: %v", c.Err)
		}
		return logs.String()[from:]
	}
	if got := deliver(); !strings.Contains(got, "status=quarantined") {
		t.Fatalf("premise: the bad metadata.json was not quarantined:\n%s", got)
	}
	got := deliver()
	if strings.Contains(got, "complete already") {
		t.Errorf("a run whose metadata.json is in quarantine was said complete already:\n%s", got)
	}
	if !strings.Contains(got, `level=WARN msg="runs named by sync.completed have their metadata.json in quarantine`) ||
		!strings.Contains(got, run+"metadata.json") {
		t.Errorf("a run whose metadata.json is in quarantine was not said so, as a WARN naming the file:\n%s", got)
	}
	// The sender's retry is not a WARN again: it was, once per delivery
	// (found by a review).
	if got := deliver(); strings.Contains(got, "level=WARN") ||
		!strings.Contains(got, `level=DEBUG msg="runs named by sync.completed have their metadata.json in quarantine`) {
		t.Errorf("a repeated delivery for that run was said at WARN again, or not at DEBUG:\n%s", got)
	}
}
