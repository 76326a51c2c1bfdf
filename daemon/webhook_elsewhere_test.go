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

// Every target is handed every sync.completed. A target whose bucket has
// nothing under the named run's folder said at INFO, for each delivery, that
// the run was complete already or had no metadata.json loaded yet and that
// the quiet period would complete it: with several targets, a misleading
// line per delivery on every target but the run's own (found by an operator
// audit). It says so at DEBUG now; a run that is in the bucket without its
// metadata.json is still said at INFO.
func TestWebhookRunNotInBucketQuiet(t *testing.T) {
	const secret = "s3cret"
	const line = "some runs named by sync.completed have no metadata.json loaded yet"
	f := newFixture(t)
	var logs syncBuffer
	f.logger = slog.New(slog.NewTextHandler(&logs, nil))
	f.start(daemon.Config{Listen: "127.0.0.1:0", WebhookSecret: secret, WebhookMaxBytes: 4096,
		Targets: []daemon.Target{{Schedule: "@every 1h", FactsSchedule: "@every 1h"}}})
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" })
	runs := f.runFolders()
	parts := strings.Split(runs[0], "/") // sync_tracking_datasets/ORG/SYNC/RUN/
	org, sync := parts[1], parts[2]
	url := "http://" + f.d.Addr() + "/webhook"
	deliver := func(run string) daemon.Cycle {
		t.Helper()
		body := fmt.Sprintf(`{"type":"sync.completed","org_id":"%s","sync_id":"%s","sync_run_id":"%s"}`, org, sync, run)
		if got := post(t, url, body, sign(secret, body)); got != 202 {
			t.Fatalf("webhook for %s: %d", run, got)
		}
		return f.waitCycle("for the webhook", func(c daemon.Cycle) bool { return c.Scope == "webhook" })
	}
	if c := deliver("run-of-another-bucket"); c.Err != nil {
		t.Fatalf("webhook cycle: %v", c.Err)
	}
	if strings.Contains(logs.String(), line) {
		t.Fatalf("a run with nothing in this bucket was said at INFO:\n%s", logs.String())
	}
	// Its first delivery is said at INFO, its copies not: at DEBUG only, a
	// webhook for a run no target has (a bucket or prefix set wrong) left
	// nothing at INFO (found by a review).
	received := `level=INFO msg="sync.completed received"`
	if n := strings.Count(logs.String(), received); n != 1 {
		t.Fatalf("the first delivery of a run no bucket has: %d INFO lines saying it was received, want 1:\n%s", n, logs.String())
	}
	if c := deliver("run-of-another-bucket"); c.Err != nil {
		t.Fatalf("webhook cycle: %v", c.Err)
	}
	if n := strings.Count(logs.String(), received); n != 1 {
		t.Fatalf("a copy of that delivery was said at INFO too:\n%s", logs.String())
	}
	// A run in the bucket whose metadata.json has not come: still news.
	f.copyObject(f.aParquet(runs[0]), path.Dir(strings.TrimSuffix(runs[0], "/"))+"/run-no-metadata/"+path.Base(f.aParquet(runs[0])))
	if c := deliver("run-no-metadata"); c.Err != nil || len(c.Loaded) != 1 {
		t.Fatalf("webhook cycle for a run without metadata.json: loaded %v, err %v", c.Loaded, c.Err)
	}
	if !strings.Contains(logs.String(), line) {
		t.Fatalf("a run in the bucket without metadata.json was not said at INFO:\n%s", logs.String())
	}
}

// The sender retries a delivery. A repeated sync.completed for a run whose
// metadata.json was loaded, complete already, said at INFO that some runs
// named were complete already or had no metadata.json loaded yet: read by
// operators as news (found by an operator audit). It is said at DEBUG, as
// complete already.
func TestWebhookRepeatedQuiet(t *testing.T) {
	const secret = "s3cret"
	f := newFixture(t)
	var logs syncBuffer
	f.logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.start(daemon.Config{Listen: "127.0.0.1:0", WebhookSecret: secret, WebhookMaxBytes: 4096,
		Targets: []daemon.Target{{Schedule: "@every 1h", FactsSchedule: "@every 1h"}}})
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" })
	parts := strings.Split(f.runFolders()[0], "/") // sync_tracking_datasets/ORG/SYNC/RUN/
	body := fmt.Sprintf(`{"type":"sync.completed","org_id":"%s","sync_id":"%s","sync_run_id":"%s"}`, parts[1], parts[2], parts[3])
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
	if got := deliver(); !strings.Contains(got, `level=INFO msg="run complete (sync.completed)"`) {
		t.Fatalf("premise: the first delivery did not complete the run:\n%s", got)
	}
	// Nor at INFO that it was received: the handler said so for every
	// delivery, and a sender's retries flooded INFO (found by a review).
	got := deliver()
	for _, l := range strings.Split(got, "\n") {
		if strings.Contains(l, "level=INFO") {
			t.Errorf("a repeated delivery for a run complete already was said at INFO: %s", l)
		}
	}
	if !strings.Contains(got, `level=DEBUG msg="runs named by sync.completed were complete already`) {
		t.Errorf("a repeated delivery was not said complete already at DEBUG:\n%s", got)
	}
	// A run whose metadata.json is there but fails to load has no state:
	// still news, not complete already.
	run := path.Dir(strings.TrimSuffix(f.runFolders()[0], "/")) + "/run-bad-metadata/"
	f.copyObject(f.aParquet(f.runFolders()[0]), run+path.Base(f.aParquet(f.runFolders()[0])))
	if err := f.bucket.WriteAll(context.Background(), run+"metadata.json", []byte("not json"), nil); err != nil {
		t.Fatal(err)
	}
	body = fmt.Sprintf(`{"type":"sync.completed","org_id":"%s","sync_id":"%s","sync_run_id":"run-bad-metadata"}`, parts[1], parts[2])
	if got := deliver(); !strings.Contains(got, `level=INFO msg="some runs named by sync.completed have no metadata.json loaded yet`) {
		t.Errorf("a run whose metadata.json failed was not said without one at INFO:\n%s", got)
	}
}
