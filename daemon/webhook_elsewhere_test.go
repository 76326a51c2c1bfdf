package daemon_test

import (
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
	const line = "some runs named by sync.completed were complete already or have no metadata.json loaded yet"
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
	// A run in the bucket whose metadata.json has not come: still news.
	f.copyObject(f.aParquet(runs[0]), path.Dir(strings.TrimSuffix(runs[0], "/"))+"/run-no-metadata/"+path.Base(f.aParquet(runs[0])))
	if c := deliver("run-no-metadata"); c.Err != nil || len(c.Loaded) != 1 {
		t.Fatalf("webhook cycle for a run without metadata.json: loaded %v, err %v", c.Loaded, c.Err)
	}
	if !strings.Contains(logs.String(), line) {
		t.Fatalf("a run in the bucket without metadata.json was not said at INFO:\n%s", logs.String())
	}
}
