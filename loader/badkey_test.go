//go:build linux

package loader_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
)

// A local folder may name a file with bytes that are not UTF-8. Such a file
// was loaded on every load (the ledger kept its key mended, which never
// matched the listing again), and such a folder's metadata.json stopped
// every load (the bucket refuses to read the key). Now each is reported,
// never read, and the rest loads once.
func TestNonUTF8KeysAreNotLoaded(t *testing.T) {
	url, dir := generated(t, smallOptions())
	records := findRecords(t, dir)
	w := openWarehouse(t)
	db := w.DB()
	wantRows := one(t, db, `SELECT count(*) FROM read_parquet(`+rawGlob(dir)+`, union_by_name = true)`)
	runDir := filepath.Dir(records[0])
	copyFile(t, records[0], filepath.Join(runDir, "records_\xff.3.parquet"))
	badRun := filepath.Join(filepath.Dir(filepath.Dir(runDir)), "s\xfe", "9")
	if err := os.MkdirAll(badRun, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(runDir, "metadata.json"), filepath.Join(filepath.Dir(filepath.Dir(runDir)), "s\xfe", "9", "metadata.json"))

	b := testbucket.Open(t, url)
	for try := 1; try <= 2; try++ {
		rep := load(t, b, dir, w)
		if len(rep.BadKeys) != 2 || len(rep.Failed) != 0 {
			t.Fatalf("load %d: bad keys %q, failed %v; want the two names that are not UTF-8 reported", try, rep.BadKeys, rep.Failed)
		}
		if got := one(t, db, `SELECT count(*) FROM synctrack.sync_records`); got != wantRows {
			t.Fatalf("load %d: %s rows loaded, want %s", try, got, wantRows)
		}
	}
}
