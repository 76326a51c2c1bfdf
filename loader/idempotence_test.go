package loader_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
)

// Load, load again (nothing new), add a batch file to an old run (only it
// loads), change an object (its rows are replaced, never duplicated).
func TestLoadIsExactlyOnce(t *testing.T) {
	url, dir := generated(t, smallOptions())
	b := testbucket.Open(t, url)
	w := openWarehouse(t)
	db := w.DB()
	rawCount := func() string {
		return one(t, db, `SELECT count(*) FROM read_parquet(`+rawGlob(dir)+`, union_by_name = true)`)
	}
	loadedCount := func() string { return one(t, db, `SELECT count(*) FROM synctrack.sync_records`) }

	first := load(t, b, dir, w)
	if first.Files == 0 || len(first.Failed) > 0 {
		t.Fatalf("first load: %+v", first)
	}
	if got, want := loadedCount(), rawCount(); got != want {
		t.Fatalf("after first load: %s rows, files hold %s", got, want)
	}

	second := load(t, b, dir, w)
	if second.Files != 0 || second.Rows != 0 || second.UpToDate != second.Listed {
		t.Fatalf("second load did work: %+v", second)
	}
	if got, want := loadedCount(), rawCount(); got != want {
		t.Fatalf("after second load: %s rows, files hold %s", got, want)
	}

	// A late batch file in an old run folder.
	records := findRecords(t, dir)
	src := records[0]
	late := filepath.Join(filepath.Dir(src), "records_updated.99.parquet")
	copyFile(t, records[1], late)
	third := load(t, b, dir, w)
	if third.Files != 1 {
		t.Fatalf("late file: loaded %d files, want 1", third.Files)
	}
	if got, want := loadedCount(), rawCount(); got != want {
		t.Fatalf("after late file: %s rows, files hold %s", got, want)
	}
	lateKey, _ := filepath.Rel(dir, late)
	// The late file carries another run's sync ids in its columns, so compare by _file only.
	if n := one(t, db, `SELECT count(*) FROM synctrack.sync_records WHERE _file = ?`, filepath.ToSlash(lateKey)); n == "0" {
		t.Fatal("late file's rows missing")
	}

	// A changed object: src now holds another file's rows.
	copyFile(t, records[2], src)
	fourth := load(t, b, dir, w)
	if fourth.Files != 1 {
		t.Fatalf("changed object: loaded %d files, want 1", fourth.Files)
	}
	if got, want := loadedCount(), rawCount(); got != want {
		t.Fatalf("after change: %s rows, files hold %s", got, want)
	}
	srcKey, _ := filepath.Rel(dir, src)
	want := one(t, db, `SELECT count(*) FROM read_parquet(?)`, records[2])
	if got := one(t, db, `SELECT count(*) FROM synctrack.sync_records WHERE _file = ?`, filepath.ToSlash(srcKey)); got != want {
		t.Fatalf("changed object has %s rows, its new content %s", got, want)
	}
	if st := rows(t, db, `SELECT status FROM synctrack.load_ledger WHERE key = ?`, filepath.ToSlash(srcKey)); len(st) != 2 || st[0] != "loaded" || st[1] != "replaced" {
		t.Fatalf("ledger rows of the changed key: %v, want one loaded and one replaced", st)
	}
}

func findRecords(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*", "*.*.parquet"))
	if err != nil || len(files) < 3 {
		t.Fatalf("want generated records files, got %d (%v)", len(files), err)
	}
	return files
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	raw, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}
