package loader_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/internal/unprivileged"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// A records file of a file:// bucket deleted between the listing and the
// read is no bad data: left for the next load, which no longer lists it,
// never failed. It used to fail as "open ...: no such file or directory",
// in the ledger and exit 1.
func TestFileGoneSinceListingIsNotFailed(t *testing.T) {
	url, dir := generated(t, smallOptions())
	records := findRecords(t, dir)
	w := openWarehouse(t)
	ld := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 7})
	ctx := context.Background()
	p, err := ld.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(records[0]); err != nil {
		t.Fatal(err)
	}
	rep, err := ld.Apply(ctx, p)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if len(rep.Failed) != 0 {
		t.Fatalf("failed: %+v; want none (the file is gone, not bad)", rep.Failed)
	}
	gone, _ := filepath.Rel(dir, records[0])
	if n := one(t, w.DB(), `SELECT count(*) FROM synctrack.load_ledger WHERE key = ?`, filepath.ToSlash(gone)); n != "0" {
		t.Errorf("the gone file has %s ledger rows, want none", n)
	}
	all, _ := filepath.Glob(filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*", "*.parquet"))
	if got, want := one(t, w.DB(), `SELECT count(DISTINCT _file) FROM synctrack.sync_records`), len(all); got != itoa(want) {
		t.Errorf("%s records files loaded, want the %d left", got, want)
	}
}

// A records file of a file:// bucket that synctrack may not read is no bad
// data either: the load stops as a config error naming it and blames no
// object, as for a metadata.json it may not read. It used to fail as
// "permission denied", counted towards quarantine, exit 1.
func TestUnreadableFileBlamesNone(t *testing.T) {
	if unprivileged.Ran(t) {
		return
	}
	url, dir := generated(t, smallOptions())
	records := findRecords(t, dir)
	if err := os.Chmod(records[0], 0); err != nil {
		t.Fatal(err)
	}
	w := openWarehouse(t)
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 7}).Load(context.Background())
	if warehouse.ClassOf(err) != warehouse.Config || !strings.Contains(err.Error(), filepath.Base(records[0])) {
		t.Fatalf("load: %v; want a config error naming %s", err, filepath.Base(records[0]))
	}
	if _, hint := warehouse.Explain(err); !strings.Contains(hint, "bucket") {
		t.Errorf("hint %q: want it to say the bucket's files", hint)
	}
	if rep != nil && len(rep.Failed) != 0 {
		t.Errorf("failed: %+v; want none", rep.Failed)
	}
	if n := one(t, w.DB(), `SELECT count(*) FROM synctrack.load_ledger WHERE status <> 'loaded'`); n != "0" {
		t.Errorf("%s objects in the ledger not loaded, want none", n)
	}
}

// A folder of a file:// bucket that synctrack may not read stops the load as
// a config error naming it. gocloud's fileblob skips such a folder without a
// word: its files were never loaded, load after load, exit 0.
func TestUnreadableFolderStopsTheLoad(t *testing.T) {
	if unprivileged.Ran(t) {
		return
	}
	url, dir := generated(t, smallOptions())
	run := filepath.Dir(findRecords(t, dir)[0])
	// A folder inside a run holds nothing a load reads: it may be anything.
	private := filepath.Join(filepath.Dir(findRecords(t, dir)[1]), "_private")
	for _, d := range []string{private, run} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, 0); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(d, 0o755) // for t.TempDir's removal
	}
	w := openWarehouse(t)
	ld := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 7})
	_, err := ld.Load(context.Background())
	if warehouse.ClassOf(err) != warehouse.Config || !strings.Contains(err.Error(), filepath.Base(run)) {
		t.Fatalf("load: %v; want a config error naming the folder %s", err, filepath.Base(run))
	}
	if err := os.Chmod(run, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := ld.Load(context.Background()); err != nil {
		t.Fatalf("load with only %s unreadable: %v", private, err)
	}
}

// A staging directory synctrack may not write is a config error (exit 2,
// with the hint to make it writable), as the warehouse's folder is; it was
// unclassified, which load and the daemon take for a passing trouble.
func TestUnwritableStageDirIsConfig(t *testing.T) {
	if unprivileged.Ran(t) {
		return
	}
	url, dir := generated(t, smallOptions())
	stage := filepath.Join(t.TempDir(), "stage")
	if err := os.Mkdir(stage, 0o555); err != nil {
		t.Fatal(err)
	}
	w := openWarehouse(t)
	_, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{StageDir: stage}).Load(context.Background())
	if reason, _ := warehouse.Explain(err); warehouse.ClassOf(err) != warehouse.Config || reason != "permission" {
		t.Fatalf("load: %v (class %v); want a config error, permission", err, warehouse.ClassOf(err))
	}
}
