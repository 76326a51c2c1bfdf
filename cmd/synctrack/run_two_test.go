package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Two daemons on one bucket and one warehouse, with files arriving while they
// run: every file is loaded exactly once, by one of them.
func TestRunTwoDaemonsExactlyOnce(t *testing.T) {
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "2", "--runs", "3", "--files", "3", "--rows", "50")
	db := filepath.Join(t.TempDir(), "w.duckdb")
	args := []string{"--bucket", "file://" + bucket, "--warehouse", "duckdb://" + db,
		"--schedule", "@every 1s", "--facts-schedule", "@every 1s"}
	a, b := startDaemon(t, args...), startDaemon(t, args...)

	objects := func() int {
		n := 0
		filepath.WalkDir(bucket, func(_ string, d os.DirEntry, _ error) error {
			if !d.IsDir() {
				n++
			}
			return nil
		})
		return n
	}
	// Sum the files each daemon says it loaded until every object is counted.
	loaded := 0
	waitAll := func() {
		t.Helper()
		deadline := time.After(3 * time.Minute) // a hang, not a timing assertion
		for want := objects(); loaded < want; {
			var m map[string]any
			select {
			case m = <-a.logs:
			case m = <-b.logs:
			case <-deadline:
				t.Fatalf("the daemons loaded %d of %d objects", loaded, want)
			}
			if m["msg"] == "loaded" {
				loaded += int(m["files"].(float64))
			}
		}
	}
	waitAll()
	// New runs arrive while both run.
	runs, _ := filepath.Glob(filepath.Join(bucket, "sync_tracking_datasets", "*", "*", "*"))
	for i, src := range runs[:2] {
		dst := filepath.Join(filepath.Dir(src), "late-"+string(rune('a'+i)))
		copyDir(t, src, dst, t.TempDir())
	}
	waitAll()
	if loaded != objects() {
		t.Fatalf("the daemons loaded %d objects between them; the bucket has %d", loaded, objects())
	}
	for _, c := range []*child{a, b} {
		if code := c.stop(t); code != 0 {
			t.Fatalf("exit %d after SIGTERM", code)
		}
	}
	files, _ := checkConsistent(t, db, bucket)
	if want := 2*3*3 + 2*3; files != want {
		t.Fatalf("%d records files loaded, want %d", files, want)
	}
}

// copyDir copies a run folder, each file written to a temp name and renamed,
// as an object store publishes a finished object.
func copyDir(t *testing.T, src, dst, tmpDir string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	es, _ := os.ReadDir(src)
	for _, e := range es {
		raw, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(tmpDir, e.Name())
		if err := os.WriteFile(tmp, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dst, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
}
