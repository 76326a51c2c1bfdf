package daemon_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/internal/unprivileged"
)

// A notified run folder the daemon may not list fails alone: the other
// folder notified in the same batch loads and its message is
// acknowledged; the unreadable one is logged with its folder and cause,
// its message kept, and it loads once it can be listed. (One such folder
// failed the whole batch, cycle after cycle: found by a user audit.)
func TestEventsUnlistableFolderFailsAlone(t *testing.T) {
	if unprivileged.Ran(t) {
		return
	}
	f := newFixture(t)
	f.root = true // walked from its folder, as synctrack run opens a file:// bucket
	top := memEvents(t, f, time.Minute)
	var logs syncBuffer
	f.logger = slog.New(slog.NewTextHandler(&logs, nil))
	cfg := eventsConfig()
	cfg.Targets[0].Schedule = "@every 1s"
	cfg.Retry = daemon.Retry{Base: 10 * time.Millisecond, Max: 20 * time.Millisecond, Attempts: 2}
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })

	bad := f.newRun(f.runFolders()[0], "9900007")
	good := f.newRun(f.runFolders()[1], "9900008")
	badDir := filepath.Join(f.dir, filepath.FromSlash(filepath.Dir(bad[0])))
	if err := os.Chmod(badDir, 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(badDir, 0o755)
	for _, k := range []string{bad[0], good[0]} {
		publish(t, top, daemon.NoticeBody(t, "s3_put", "", k), nil)
	}
	c := f.waitCycle("the readable run", loadedKey(good[0]))
	if c.Err != nil || len(c.Loaded) != len(good) {
		t.Fatalf("cycle %s: err %v, loaded %v; want %v", c.Scope, c.Err, c.Loaded, good)
	}
	f.waitMetric(1, "synctrack_events_total", "result", "applied")
	if n := f.metric("synctrack_events_total", "result", "applied"); n != 1 {
		t.Fatalf("applied %v messages, want only the readable folder's", n)
	}
	folder := filepath.Dir(bad[0]) + "/"
	if l := logs.String(); !strings.Contains(l, "could not list a notified folder") || !strings.Contains(l, "folder="+folder) ||
		!strings.Contains(l, "permission") {
		t.Errorf("the unlistable folder is not logged with its folder and cause:\n%s", l)
	}

	if err := os.Chmod(badDir, 0o755); err != nil {
		t.Fatal(err)
	}
	c = f.waitCycle("the folder once readable", loadedKey(bad[0]))
	if c.Err != nil || len(c.Loaded) != len(bad) {
		t.Fatalf("cycle %s: err %v, loaded %v; want %v", c.Scope, c.Err, c.Loaded, bad)
	}
	f.waitMetric(2, "synctrack_events_total", "result", "applied")
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a cycle failed:\n%s", logs.String())
	}
}
