//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd || illumos

package loader

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A staging area whose lock no process holds, and which is older than a
// load takes to lock its own, is removed by the next load; one held, one
// just made and one with no lock file are not; a load's own area goes at
// its release.
func TestStageDirSweep(t *testing.T) {
	tmp := t.TempDir()
	old := time.Now().Add(-2 * staleAfter)
	mk := func(name string, lock bool, mtime time.Time) string {
		d := filepath.Join(tmp, stagePrefix+name)
		os.MkdirAll(d, 0o700)
		os.WriteFile(filepath.Join(d, "0001.parquet"), make([]byte, 1000), 0o600)
		if lock {
			os.WriteFile(filepath.Join(d, stageLock), nil, 0o600)
			os.Chtimes(filepath.Join(d, stageLock), mtime, mtime)
		}
		return d
	}
	dead := mk("dead", true, old)
	fresh := mk("fresh", true, time.Now())
	nolock := mk("nolock", false, old)
	held := mk("held", false, old)
	unlock := lockStage(filepath.Join(held, stageLock))
	defer unlock()
	os.Chtimes(filepath.Join(held, stageLock), old, old)
	other := filepath.Join(tmp, "not-ours")
	os.MkdirAll(other, 0o700)

	var logs bytes.Buffer
	dir, release, err := newStageDir(tmp, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range map[string]bool{dead: false, fresh: true, nolock: true, held: true, other: true, dir: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s: there %v, want %v", filepath.Base(d), err == nil, want)
		}
	}
	if !strings.Contains(logs.String(), "removed the staging area a killed load left") || !strings.Contains(logs.String(), "bytes=1000") {
		t.Errorf("the sweep said: %s", logs.String())
	}
	// The new area is held: a second load's sweep leaves it, even once old.
	os.Chtimes(filepath.Join(dir, stageLock), old, old)
	sweepStageDirs(tmp, slog.New(slog.DiscardHandler))
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("a load's staging area in use was swept: %v", err)
	}
	release()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("release left %s: %v", dir, err)
	}
}
