package loader_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// viewsCut is a warehouse whose views' refresh never happens: a load
// stopped (Ctrl-C, kill -9) after its runs and records committed.
type viewsCut struct{ *duckdb.Warehouse }

func (viewsCut) RefreshViews(context.Context, []string) error { return context.Canceled }

// A first load stopped before its views left none, and every synctrack
// load after it, finding its runs loaded, built none (a user audit): the
// next load builds the typed and analysis views of the syncs without them.
func TestLoadAfterACutShortOneBuildsTheViews(t *testing.T) {
	url, dir := generated(t, smallOptions())
	b := testbucket.Open(t, url)
	w := openWarehouse(t)
	db := w.DB()
	opts := loader.Options{BatchFiles: 7, FindUnbuiltViews: true}
	if _, err := loader.New(b, dir, viewsCut{w}, opts).Load(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("the cut load ended with %v, want its views' refresh cancelled", err)
	}
	if n := one(t, db, `SELECT count(*) FROM synctrack.payload_columns`); n != "0" {
		t.Fatalf("payload_columns has %s rows after a load whose views never ran", n)
	}
	syncs := rows(t, db, `SELECT DISTINCT sync_configuration_id FROM synctrack.sync_runs`)
	if len(syncs) < 2 {
		t.Fatalf("want runs of two syncs loaded, got %v", syncs)
	}
	got, err := loader.UnbuiltViews(context.Background(), w)
	if err != nil || !slices.Equal(got, syncs) {
		t.Fatalf("UnbuiltViews = %v (%v), want every loaded sync %v", got, err, syncs)
	}

	rep, err := loader.New(b, dir, w, opts).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 0 {
		t.Fatalf("the second load loaded %d files: the first had committed them all", rep.Files)
	}
	views := rows(t, db, `SELECT view_name FROM duckdb_views() WHERE schema_name = 'synctrack'`)
	typed := rows(t, db, `SELECT DISTINCT view_name FROM synctrack.payload_columns`)
	if len(typed) != len(syncs) {
		t.Errorf("payload_columns names %d typed views %v, want one a sync of %v", len(typed), typed, syncs)
	}
	for _, v := range append([]string{"sync_log", "run_summary"}, typed...) {
		if !slices.Contains(views, v) {
			t.Errorf("no view %s after the next load; the views are %v", v, views)
		}
	}
	if n := one(t, db, `SELECT count(DISTINCT sync_configuration_id) FROM synctrack.payload_columns`); n != itoa(len(syncs)) {
		t.Errorf("payload_columns covers %s syncs, want %d", n, len(syncs))
	}
	// A sync whose runs name no payload field has no payload_columns row
	// once built: it is not taken for one without its view.
	if _, err := db.Exec(`INSERT INTO synctrack.sync_runs (org_id, sync_configuration_id, sync_run_id, payload_schema, _file)
		VALUES ('1', 'nofields', '1', '{}', 'x/metadata.json')`); err != nil {
		t.Fatal(err)
	}
	if got, err := loader.UnbuiltViews(context.Background(), w); err != nil || len(got) != 0 {
		t.Errorf("UnbuiltViews after the refresh = %v (%v), want none", got, err)
	}
}
