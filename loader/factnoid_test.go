package loader_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
)

// A fact file without an id column (here a records file put among the
// fact tables) fails alone, named with the cause. Before, it loaded: every
// row's id was NULL, so the rebuild kept one row of the org's (org, id)
// and dropped the rest without a word, the ledger saying all loaded (found
// by a review with hostile buckets).
func TestFactFileWithoutIDFails(t *testing.T) {
	url, dir := generated(t, smallOptions())
	recs, err := filepath.Glob(filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*", "*.parquet"))
	if err != nil || len(recs) == 0 {
		t.Fatalf("no records file: %v", err)
	}
	data, err := os.ReadFile(recs[0])
	if err != nil {
		t.Fatal(err)
	}
	bad := "metadata/9001/source_objects.parquet"
	if err := os.MkdirAll(filepath.Join(dir, "metadata", "9001"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(bad)), data, 0o644); err != nil {
		t.Fatal(err)
	}
	w := openWarehouse(t)
	rep := load(t, testbucket.Open(t, url), dir, w)
	if len(rep.Failed) != 1 || rep.Failed[0].Key != bad || !strings.Contains(rep.Failed[0].Err.Error(), "no id column") {
		t.Fatalf("failed %v, want %s alone, for its missing id column", rep.Failed, bad)
	}
	db := w.DB()
	if got := one(t, db, `SELECT status FROM synctrack.load_ledger WHERE key = ?`, bad); got != "failed" {
		t.Errorf("ledger status of %s: %s, want failed", bad, got)
	}
	if got := one(t, db, `SELECT count(*) FROM synctrack.source_objects WHERE org_id = '9001'`); got != "0" {
		t.Errorf("rows of %s in source_objects: %s, want 0", bad, got)
	}
	if got := one(t, db, `SELECT count(*) > 0 FROM synctrack.source_objects`); got != "true" {
		t.Errorf("the other orgs' source objects: none loaded")
	}
}
