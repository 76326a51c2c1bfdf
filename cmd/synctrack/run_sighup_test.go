package main

import (
	"path/filepath"
	"syscall"
	"testing"
)

// SIGHUP, which operators send by habit to reload a daemon and a closing
// terminal sends too, ended the daemon silently by its default action: no
// grace period for the load in flight, not a line in the log. The daemon
// reads its config only at start: it says so at WARN and runs on, and a
// SIGTERM afterwards still stops it as usual (exit 0).
func TestRunSIGHUPIgnored(t *testing.T) {
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--rows", "20")
	db := filepath.Join(t.TempDir(), "w.duckdb")
	c := startDaemon(t, "--bucket", "file://"+bucket, "--warehouse", "duckdb://"+db, "--schedule", "@every 1h")
	c.waitLog(t, "daemon started")
	for i := 0; i < 2; i++ {
		if err := c.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		m := c.waitLog(t, "SIGHUP ignored: the config is read only at start; restart the daemon to apply a change (SIGTERM or Ctrl-C stops it)")
		if m["level"] != "WARN" {
			t.Fatalf("SIGHUP logged at %v, want WARN", m["level"])
		}
	}
	if code := c.stop(t); code != 0 {
		t.Fatalf("exit %d after SIGHUP then SIGTERM, want 0", code)
	}
}
