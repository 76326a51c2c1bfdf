package main

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// killTrials is how many times TestKillNineMidLoad kills a load: 6 by
// default (CI), more with SYNCTRACK_KILL_TRIALS for RELIABILITY.md's figures.
func killTrials(t *testing.T) int {
	if s := os.Getenv("SYNCTRACK_KILL_TRIALS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("SYNCTRACK_KILL_TRIALS=%q", s)
		}
		return n
	}
	return 6
}

// kill -9 at many moments of a load: after the k-th batch, plus a random
// few milliseconds so the kill also lands inside statements and commits.
// After each kill every file is wholly loaded with its ledger row or absent
// (checkConsistent: no duplicate, no orphan row, rows equal the file's own
// count), and a final load completes the bucket exactly once.
func TestKillNineMidLoad(t *testing.T) {
	const total = 2 * 6 * 8
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "2", "--runs", "6", "--files", "8", "--rows", "200")
	db := filepath.Join(t.TempDir(), "w.duckdb")
	// The killed loads' staging areas, in a temp folder of the test's own:
	// each load removes those no running load holds once a minute old, so
	// they are made older here.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	left := 0
	killLoads(t, bucket, "duckdb://"+db, killTrials(t), total, func() {
		os.Remove(db)
		os.Remove(db + ".wal")
	}, func() int {
		dirs, _ := filepath.Glob(filepath.Join(tmp, "synctrack-stage-*"))
		left += len(dirs)
		old := time.Now().Add(-2 * time.Minute)
		for _, d := range dirs {
			os.Chtimes(filepath.Join(d, ".lock"), old, old)
		}
		files, _ := checkConsistent(t, db, bucket)
		return files
	})
	if dirs, _ := filepath.Glob(filepath.Join(tmp, "synctrack-stage-*")); left == 0 || len(dirs) != 0 {
		t.Errorf("killed loads left %d staging areas; after the last load %d remain: %v", left, len(dirs), dirs)
	}
}

// killLoads kills trials loads of bucket into wh with SIGKILL, each after a
// random batch plus 0-15 ms, checks the warehouse after each (check returns
// the records files loaded), starts from an empty one (reset) every third
// trial, and finally loads the bucket whole: total records files.
func killLoads(t *testing.T, bucket, wh string, trials, total int, reset func(), check func() int) {
	killed := 0
	for i := range trials {
		// Start from an empty warehouse every few trials, so kills land early
		// in a load as well as late.
		if i%3 == 0 {
			reset()
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestRunChild$")
		args := []string{"load", "--bucket", "file://" + bucket, "--warehouse", wh, "--batch-files", "2",
			"--log-format", "json", "--log-level", "debug"}
		cmd.Env = append(os.Environ(), "SYNCTRACK_TEST_CHILD_ARGS="+strings.Join(args, "\n"))
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		after := 1 + rand.IntN(6) // batches to let through before the kill
		batches := 0
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "records batch" {
				if batches++; batches == after {
					time.Sleep(time.Duration(rand.IntN(15)) * time.Millisecond)
					if cmd.Process.Signal(syscall.SIGKILL) == nil {
						killed++
					}
					break
				}
			}
		}
		cmd.Wait()
		files := check()
		t.Logf("trial %d: killed after batch %d: %d of %d files loaded, consistent", i+1, after, files, total)
	}
	if killed == 0 {
		t.Fatal("no load was killed: every one finished first")
	}
	if code, out := runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh); code != 0 {
		t.Fatalf("load after the kills: %d %s", code, out)
	}
	if files := check(); files != total {
		t.Fatalf("%d records files after the final load, want %d", files, total)
	}
	t.Logf("%d loads killed with SIGKILL: lost 0, duplicated 0", killed)
}
