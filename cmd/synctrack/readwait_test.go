package main

import (
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/holdlock"
)

// A command that reads the warehouse waits, as load does (--lock-wait),
// for another process that holds the DuckDB file (a daemon's load): it
// exited 3 at once, though a cycle holds the file a second or two (a user
// audit). --lock-wait 0 does not wait; a negative one is refused.
func TestReadersWaitForTheLock(t *testing.T) {
	wh, file := loadedWarehouse(t)
	release := holdlock.Start(t, "TestHoldLockChild", file)
	if code, _, stderr := runCLIAll(t, "status", "--warehouse", wh, "--lock-wait", "0"); code != exitUnavailable || !strings.Contains(stderr, "lock") {
		t.Errorf("status --lock-wait 0 while locked: exit %d, want 3: %s", code, stderr)
	}
	// Exit 3 after a wait says it waited.
	if code, _, stderr := runCLIAll(t, "status", "--warehouse", wh, "--lock-wait", "300ms"); code != exitUnavailable || !strings.Contains(stderr, "waited 300ms for it: --lock-wait") {
		t.Errorf("status --lock-wait 300ms while locked: exit %d, want 3 saying it waited: %s", code, stderr)
	}
	if code, _, stderr := runCLIAll(t, "status", "--warehouse", wh+".missing", "--lock-wait", "-1s"); code != exitConfig || !strings.Contains(stderr, "--lock-wait") {
		t.Errorf("--lock-wait -1s: exit %d, want 2 naming it: %s", code, stderr)
	}
	released := make(chan struct{})
	go func() {
		time.Sleep(time.Second)
		release()
		close(released)
	}()
	for _, args := range [][]string{
		{"status", "--warehouse", wh, "--lock-wait", "2m"},
		{"query", "--warehouse", wh, "--lock-wait", "2m", "SELECT 1"},
		{"records", "--warehouse", wh, "--lock-wait", "2m", "--limit", "1"},
	} {
		if code, _, stderr := runCLIAll(t, args...); code != 0 {
			t.Errorf("%s while a load held the file for a second: exit %d: %s", args[0], code, stderr)
		}
	}
	<-released
}
