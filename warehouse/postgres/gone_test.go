package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// A failed object deleted from the bucket is marked deleted by the next
// load, here as on DuckDB (loader's TestDeletedFailuresAreNotReported).
func TestDeletedFailureIsMarked(t *testing.T) {
	ctx := context.Background()
	url, dir := testbucket.Dir(t)
	b := testbucket.Open(t, url)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 1, 1, 20
	if _, err := gen.Generate(ctx, b, o); err != nil {
		t.Fatal(err)
	}
	runs, _ := filepath.Glob(filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*"))
	if len(runs) == 0 {
		t.Fatal("no run folder")
	}
	bad := filepath.Join(runs[0], "records_updated.91.parquet")
	if err := os.WriteFile(bad, []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	key, _ := filepath.Rel(dir, bad)
	key = filepath.ToSlash(key)
	w := open(t, pgtest.URL(t), warehouse.Options{})
	ld := loader.New(b, dir, w, loader.Options{})
	if rep, err := ld.Load(ctx); err != nil || len(rep.Failed) != 1 {
		t.Fatalf("first load: %v, %v", rep, err)
	}
	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}
	rep, err := ld.Load(ctx)
	if err != nil || len(rep.Deleted) != 1 || rep.Deleted[0] != key {
		t.Fatalf("after the delete: deleted %v, %v", rep.Deleted, err)
	}
	got := rowsOf(t, w, `SELECT status, attempts, error FROM synctrack_schema.load_ledger WHERE key = $1`, key)
	if want := "deleted|1|deleted from the bucket while failed (attempts: 1); gone by "; len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Errorf("ledger: %v, want %s...", got, want)
	}
}
