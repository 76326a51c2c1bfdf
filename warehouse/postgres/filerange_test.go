package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// A run's (and a sync's) file range holds every one of its rows and is
// their own first and last file; no counts, no range. The pages bound their
// queries by it, so a row outside it would be a row a page leaves out.
func TestFileRangeHoldsTheRows(t *testing.T) {
	url, dir := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 2, 2, 2, 2, 20
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, url), o); err != nil {
		t.Fatal(err)
	}
	w := open(t, pgtest.URL(t), warehouse.Options{})
	if _, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	fr := w.(*postgres.Warehouse)
	runs := rowsOf(t, w, `SELECT DISTINCT sync_configuration_id || '|' || sync_run_id FROM synctrack_schema.sync_records`)
	if len(runs) < 4 {
		t.Fatalf("premise: %d runs", len(runs))
	}
	check := func(sync, run string) {
		t.Helper()
		from, to, ok, err := fr.FileRange(context.Background(), sync, run)
		if err != nil || !ok {
			t.Fatalf("%s/%s: ok %v, %v", sync, run, ok, err)
		}
		q := `SELECT min(_file) || '|' || max(_file) FROM synctrack_schema.sync_records WHERE sync_configuration_id = $1`
		args := []any{sync}
		if run != "" {
			q += ` AND sync_run_id = $2`
			args = append(args, run)
		}
		if got, want := from+"|"+to, one(t, w, q, args...); got != want {
			t.Errorf("%s/%s: range %s, rows' files %s", sync, run, got, want)
		}
	}
	for _, sr := range runs {
		sync, run, _ := strings.Cut(sr, "|")
		check(sync, run)
		check(sync, "")
	}
	if _, _, ok, err := fr.FileRange(context.Background(), "no-such-sync", ""); ok || err != nil {
		t.Errorf("a sync with no counts: ok %v, %v", ok, err)
	}
}
