package postgres_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// viewsCut is a warehouse whose views' refresh never happens: a load
// stopped after its runs and records committed.
type viewsCut struct{ *postgres.Warehouse }

func (viewsCut) RefreshViews(context.Context, []string) error { return context.Canceled }

// The next synctrack load builds the views a load cut short never built
// (loader.UnbuiltViews reads jsonb payload schemas here).
func TestLoadAfterACutShortOneBuildsTheViews(t *testing.T) {
	url, dir := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.RowsPerFile = 20
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, url), o); err != nil {
		t.Fatal(err)
	}
	w := open(t, pgtest.URL(t), warehouse.Options{})
	opts := loader.Options{FindUnbuiltViews: true}
	if _, err := loader.New(testbucket.Open(t, url), dir, viewsCut{w.(*postgres.Warehouse)}, opts).Load(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("the cut load ended with %v, want its views' refresh cancelled", err)
	}
	syncs := one(t, w, `SELECT count(DISTINCT sync_configuration_id) FROM synctrack_schema.sync_runs`)
	if got, err := loader.UnbuiltViews(context.Background(), w); err != nil || strconv.Itoa(len(got)) != syncs {
		t.Fatalf("UnbuiltViews = %v (%v), want the %s loaded syncs", got, err, syncs)
	}
	if _, err := loader.New(testbucket.Open(t, url), dir, w, opts).Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := one(t, w, `SELECT count(DISTINCT view_name) FROM synctrack_schema.payload_columns`); got != syncs {
		t.Errorf("payload_columns names %s typed views, want one for each of the %s syncs", got, syncs)
	}
	views := `SELECT count(*) FROM pg_views WHERE schemaname = $1
		AND (viewname IN ('sync_log', 'run_summary') OR viewname IN (SELECT view_name FROM synctrack_schema.payload_columns))`
	if got, want := one(t, w, views, w.Schema()), one(t, w, `SELECT 2 + count(DISTINCT sync_configuration_id) FROM synctrack_schema.sync_runs`); got != want {
		t.Errorf("%s of sync_log, run_summary and the typed views exist, want %s", got, want)
	}
	if got, err := loader.UnbuiltViews(context.Background(), w); err != nil || len(got) != 0 {
		t.Errorf("UnbuiltViews after the refresh = %v (%v), want none", got, err)
	}
}
