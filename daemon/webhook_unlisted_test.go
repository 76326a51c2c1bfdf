package daemon_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/internal/unprivileged"
)

// A sync.completed whose run folder cannot be listed yet keeps the
// completion with the folder: the run is completed by the cycle that loads
// it, not by the cycle that skipped its folder (which completed a run with
// nothing of it loaded, or, with no metadata.json loaded yet, dropped the
// completion: the run then stayed open for the quiet period).
func TestWebhookUnlistableFolderKeepsCompletion(t *testing.T) {
	if unprivileged.Ran(t) {
		return
	}
	const secret = "s3cret"
	f := newFixture(t)
	f.root = true
	f.start(daemon.Config{Listen: "127.0.0.1:0", WebhookSecret: secret,
		Retry:   daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 2},
		Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 1h", QuietPeriod: time.Hour}}})
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	runs := f.runFolders()
	parts := strings.Split(runs[0], "/")
	org, sync := parts[1], parts[2]
	keys := f.newRun(runs[0], "run-unlisted")
	dir := filepath.Join(f.dir, filepath.FromSlash(filepath.Dir(keys[0])))
	if err := os.Chmod(dir, 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	body := fmt.Sprintf(`{"type":"sync.completed","data":{"orgId":"%s","syncId":"%s","syncRunId":"run-unlisted"}}`, org, sync)
	if got := post(t, "http://"+f.d.Addr()+"/webhook", body, sign(secret, body)); got != 202 {
		t.Fatalf("webhook: %d", got)
	}
	f.waitCycle("for the webhook", func(c daemon.Cycle) bool { return strings.Contains(c.Scope, "webhook") })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f.waitCycle("loading the run", loadedKey(keys[0]))
	f.shutdown()
	st := f.query(`SELECT state FROM synctrack.sync_runs WHERE sync_run_id = 'run-unlisted'`)
	if len(st) != 1 || st[0] != "complete" {
		t.Fatalf("run state once its folder loaded: %v, want complete (sync.completed was received)", st)
	}
}
