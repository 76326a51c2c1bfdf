package loader_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
)

// A failed object and a quarantined one, then deleted from the bucket (the
// usual fix for a bad file), are marked deleted by the next load: no longer
// failures to report or quarantines to count. A loaded object deleted keeps
// its rows and its ledger row; one put back loads again.
func TestDeletedFailuresAreNotReported(t *testing.T) {
	url, dir := generated(t, smallOptions())
	records := findRecords(t, dir)
	runDir := filepath.Dir(records[0])
	write := func(name string, data []byte) (string, string) {
		t.Helper()
		p := filepath.Join(runDir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		k, _ := filepath.Rel(dir, p)
		return p, filepath.ToSlash(k)
	}
	badPath, bad := write("records_updated.91.parquet", []byte("not parquet"))
	quarPath, quar := write("records_updated.92.parquet", []byte("not parquet either"))
	w := openWarehouse(t)
	db := w.DB()
	b := testbucket.Open(t, url)
	ld := loader.New(b, dir, w, loader.Options{QuarantineAfter: 2, BatchFiles: 7})
	ctx := context.Background()
	if _, err := ld.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// The second failure quarantines both; the "failed" one is written again
	// with one attempt less so that it stays failed.
	if _, err := ld.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE synctrack.load_ledger SET status = 'failed', attempts = 1 WHERE key = ?`, bad); err != nil {
		t.Fatal(err)
	}
	status := func(k string) string {
		return one(t, db, `SELECT status || ' ' || attempts FROM synctrack.load_ledger WHERE key = ?`, k)
	}
	if got := status(bad) + ", " + status(quar); got != "failed 1, quarantined 2" {
		t.Fatalf("premise: %s", got)
	}
	loaded := records[0]
	loadedKey, _ := filepath.Rel(dir, loaded)
	loadedKey = filepath.ToSlash(loadedKey)
	rows := one(t, db, `SELECT count(*) FROM synctrack.sync_records WHERE _file = ?`, loadedKey)
	for _, p := range []string{badPath, quarPath, loaded} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}

	plan, err := ld.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Gone) != 2 || plan.Gone[0].Key != bad || plan.Gone[1].Key != quar {
		t.Fatalf("plan.Gone = %+v, want %s and %s", plan.Gone, bad, quar)
	}
	rep, err := ld.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Deleted) != 2 || len(rep.Failed) != 0 || rep.InQuarantine != 0 {
		t.Fatalf("report: deleted %v, failed %v, in quarantine %d", rep.Deleted, rep.Failed, rep.InQuarantine)
	}
	if got := status(bad) + ", " + status(quar); got != "deleted 1, deleted 2" {
		t.Errorf("ledger: %s, want both deleted with their attempts", got)
	}
	if n := one(t, db, `SELECT count(*) FROM synctrack.load_ledger WHERE status IN ('failed', 'quarantined')`); n != "0" {
		t.Errorf("%s failures still reported", n)
	}
	if got := status(loadedKey); got != "loaded 1" {
		t.Errorf("the loaded object deleted from the bucket: %s, want loaded 1", got)
	}
	if got := one(t, db, `SELECT count(*) FROM synctrack.sync_records WHERE _file = ?`, loadedKey); got != rows {
		t.Errorf("the deleted loaded object's rows: %s, want %s", got, rows)
	}
	// Nothing more to do next time.
	if plan, err := ld.Plan(ctx); err != nil || len(plan.Gone) != 0 {
		t.Fatalf("next plan: gone %v, %v", plan.Gone, err)
	}
	// Put back (fixed), it loads.
	good, err := os.ReadFile(records[1])
	if err != nil {
		t.Fatal(err)
	}
	write("records_updated.91.parquet", good)
	rep, err = ld.Load(ctx)
	if err != nil || rep.Files != 1 || len(rep.Failed) != 0 {
		t.Fatalf("the file put back: %d loaded, failed %v, %v", rep.Files, rep.Failed, err)
	}
	if got := one(t, db, `SELECT string_agg(status, ',' ORDER BY status) FROM synctrack.load_ledger WHERE key = ?`, bad); got != "deleted,loaded" {
		t.Errorf("the file put back: ledger %s, want its old version deleted and the new loaded", got)
	}
}
