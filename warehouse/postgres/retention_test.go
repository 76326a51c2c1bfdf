package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// The retention pass analyses the tables it reads when their statistics
// are missing, as after a first load (a load's pass without retention,
// the tables it wrote): unanalysed, the planner ran the
// ledger's UPDATE as a nested loop over sync_records, 15 minutes and more
// on a large first load. Tables analysed since they last changed much are
// left alone, since the daemon runs the pass after every load.
func TestRetentionAnalyzesFirst(t *testing.T) {
	ctx := context.Background()
	url, dir := testbucket.Dir(t)
	b := testbucket.Open(t, url)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 2, 2, 100
	if _, err := gen.Generate(ctx, b, o); err != nil {
		t.Fatal(err)
	}
	w := open(t, pgtest.URL(t), warehouse.Options{})
	if _, err := loader.New(b, dir, w, loader.Options{}).Load(ctx); err != nil {
		t.Fatal(err)
	}
	const analysed = `SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = $1
AND relname IN ('sync_records', 'load_ledger', 'run_outcome_counts', 'run_fingerprint_counts') AND last_analyze IS NOT NULL`
	// The load's own pass (no retention) analysed what it wrote, for the
	// pages: unanalysed, a first load's Sync History page took minutes on
	// PostgreSQL (found by a review).
	loaded := `SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_stat_user_tables WHERE schemaname = $1 AND last_analyze IS NOT NULL`
	if got := one(t, w, loaded, w.Schema()); got != "run_fingerprint_counts run_outcome_counts sync_records" {
		t.Fatalf("tables analysed after a load: %q, want the records and the counts", got)
	}
	// Every generated row is older than a day: the pass expires them all.
	ex, err := w.Expire(ctx, warehouse.NewRetention(1, time.Now()))
	if err != nil || ex.Rows == 0 {
		t.Fatalf("retention: %+v, %v", ex, err)
	}
	if n := one(t, w, analysed, w.Schema()); n != "4" {
		t.Errorf("%s of the 4 tables the pass reads analysed before it, want 4", n)
	}
	before := one(t, w, `SELECT last_analyze FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'load_ledger'`, w.Schema())
	if _, err := w.Expire(ctx, warehouse.NewRetention(1, time.Now())); err != nil {
		t.Fatal(err)
	}
	if after := one(t, w, `SELECT last_analyze FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'load_ledger'`, w.Schema()); after != before {
		t.Errorf("load_ledger analysed again by a pass that found it unchanged (%s, then %s)", before, after)
	}
}
