package loader_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
)

// A local folder's listing shows a symbolic link as a file, and reading it
// in place read whatever it pointed at: a link named metadata.json to a
// service account's key file loaded the key into sync_runs.metadata, where
// every reader of the warehouse sees it, and a link named as a records file
// loaded any parquet file the process could read. A link whose target is
// outside the bucket's folder now fails alone, named, and nothing of its
// target loads; one within the folder reads as before.
func TestSymlinksOutOfTheBucketAreNotRead(t *testing.T) {
	url, dir := generated(t, smallOptions())
	records := findRecords(t, dir)
	w := openWarehouse(t)
	db := w.DB()
	wantRows := one(t, db, `SELECT count(*) FROM read_parquet(`+rawGlob(dir)+`, union_by_name = true)`)

	outside := t.TempDir()
	secret := filepath.Join(outside, "key.json")
	if err := os.WriteFile(secret, []byte(`{"type":"service_account","private_key":"SECRET"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	copyFile(t, records[0], filepath.Join(outside, "other.parquet"))
	run := filepath.Join(filepath.Dir(filepath.Dir(records[0])), "999")
	if err := os.MkdirAll(run, 0o755); err != nil {
		t.Fatal(err)
	}
	link := func(target, name string) {
		if err := os.Symlink(target, filepath.Join(run, name)); err != nil {
			t.Fatal(err)
		}
	}
	link(secret, "metadata.json")
	link(filepath.Join(outside, "other.parquet"), "records_updated.1.parquet")
	link(records[0], "records_updated.2.parquet") // within the bucket: read
	extra := one(t, db, `SELECT count(*) FROM read_parquet('`+records[0]+`')`)

	rep := load(t, testbucket.Open(t, url), dir, w)
	var failed []string
	for _, f := range rep.Failed {
		failed = append(failed, filepath.Base(f.Key))
		if !strings.Contains(f.Err.Error(), "outside the bucket") {
			t.Errorf("%s failed with %v, want it said that it links outside the bucket", f.Key, f.Err)
		}
	}
	if strings.Join(failed, " ") != "metadata.json records_updated.1.parquet" {
		t.Errorf("failed %q, want the two links out of the bucket", failed)
	}
	if got := one(t, db, `SELECT count(*) FROM synctrack.sync_runs WHERE metadata::VARCHAR LIKE '%SECRET%'`); got != "0" {
		t.Errorf("the key file outside the bucket is in sync_runs (%s rows)", got)
	}
	want := one(t, db, `SELECT `+wantRows+` + `+extra)
	if got := one(t, db, `SELECT count(*) FROM synctrack.sync_records`); got != want {
		t.Errorf("%s rows loaded, want %s: the bucket's files and the link within it", got, want)
	}
}

// A link in the bucket that leads back to itself, or to nothing, fails
// alone, named, and the rest loads. A loop's error was read as the bucket
// failing: every load stopped, for good, until the link was removed (found
// by a review); a dangling link was "gone since the listing" on every load.
func TestSymlinkLoopsAndDanglingLinksFailAlone(t *testing.T) {
	url, dir := generated(t, smallOptions())
	run := filepath.Dir(findRecords(t, dir)[0])
	for name, target := range map[string]string{"records_updated.77.parquet": "records_updated.77.parquet",
		"records_updated.78.parquet": "nowhere.parquet"} {
		if err := os.Symlink(target, filepath.Join(run, name)); err != nil {
			t.Fatal(err)
		}
	}
	// The bucket's files settled long ago; the links are new, yet no wait
	// makes them read: they fail at once, not left as still being written
	// (a README audit saw them deferred for --settle).
	old := time.Now().Add(-2 * time.Hour)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			err = os.Chtimes(p, old, old)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w := openWarehouse(t)
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 7, Settle: time.Hour}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]string{}
	for _, f := range rep.Failed {
		failed[filepath.Base(f.Key)] = f.Err.Error()
	}
	if len(failed) != 2 || !strings.Contains(failed["records_updated.77.parquet"], "loop") ||
		!strings.Contains(failed["records_updated.78.parquet"], "does not exist") || rep.Pending != 0 {
		t.Errorf("failed %v, %d pending; want the loop and the dangling link, each said, none pending", failed, rep.Pending)
	}
	want := one(t, w.DB(), `SELECT count(*) FROM read_parquet(`+rawGlob(dir)+`, union_by_name = true)`)
	if got := one(t, w.DB(), `SELECT count(*) FROM synctrack.sync_records`); got != want {
		t.Errorf("%s rows loaded, the files hold %s", got, want)
	}
}
