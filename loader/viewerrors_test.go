package loader_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// A sync whose typed view cannot be made (a table of the user's holds its
// name) fails alone: the load succeeds, names it with its cause in
// Report.ViewErrors, and rebuilds every other sync's view; once the name is
// free, the next refresh makes it.
func TestOneSyncsViewFailsAlone(t *testing.T) {
	ctx := context.Background()
	url, dir := generated(t, smallOptions())
	b := testbucket.Open(t, url)
	w := openWarehouse(t)
	db := w.DB()
	load(t, b, dir, w)
	views := rows(t, db, `SELECT DISTINCT sync_configuration_id || '|' || view_name FROM synctrack.payload_columns`)
	if len(views) < 2 {
		t.Fatalf("premise: want two syncs' views, got %v", views)
	}
	var syncs, names []string
	for _, v := range views {
		s, n, _ := strings.Cut(v, "|")
		syncs, names = append(syncs, s), append(names, n)
	}
	blocked := syncs[0]
	exec := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// The user's table takes the first sync's view name; the others' views
	// are gone, for the refresh to make again.
	for _, n := range names {
		exec(`DROP VIEW synctrack."` + n + `"`)
	}
	exec(`CREATE TABLE synctrack."` + names[0] + `" (mine INTEGER)`)

	rep, err := loader.New(b, dir, w, loader.Options{Views: syncs}).Load(ctx)
	if err != nil {
		t.Fatalf("a load whose one sync's view fails must not fail: %v", err)
	}
	if got := rep.ViewErrors.Syncs(); len(got) != 1 || got[0] != blocked {
		t.Fatalf("view errors for %v, want only %s (%v)", got, blocked, rep.ViewErrors)
	}
	if len(rep.ViewsPending) != 0 {
		t.Errorf("views pending %v: an own failure waits for the sync's next run, not the next cycle", rep.ViewsPending)
	}
	if reason, hint := warehouse.Explain(rep.ViewErrors[blocked]); warehouse.ClassOf(rep.ViewErrors) != warehouse.Config ||
		reason != "name_taken" || !strings.Contains(hint, "rename yours") {
		t.Errorf("class %v, reason %q, hint %q: want config, name_taken, saying to rename the user's table",
			warehouse.ClassOf(rep.ViewErrors), reason, hint)
	}
	for i, n := range names[1:] {
		if got := one(t, db, `SELECT count(*) FROM duckdb_views() WHERE schema_name = 'synctrack' AND view_name = ?`, n); got != "1" {
			t.Errorf("view %s of sync %s not rebuilt beside the failed one", n, syncs[i+1])
		}
	}
	if got := one(t, db, `SELECT count(*) FROM synctrack."`+names[0]+`"`); got != "0" {
		t.Errorf("the user's table holds %s rows, want its own 0", got)
	}
	if got := one(t, db, `SELECT count(*) FROM synctrack.payload_columns WHERE sync_configuration_id = ?`, blocked); got == "0" {
		t.Error("the failed sync's catalog rows are gone")
	}

	exec(`DROP TABLE synctrack."` + names[0] + `"`)
	rep, err = loader.New(b, dir, w, loader.Options{Views: []string{blocked}}).Load(ctx)
	if err != nil || len(rep.ViewErrors) != 0 {
		t.Fatalf("refresh with the name free: %v, %v", err, rep.ViewErrors)
	}
	if got := one(t, db, `SELECT count(*) > 0 FROM synctrack."`+names[0]+`"`); got != "true" {
		t.Errorf("the view %s reads %s rows", names[0], got)
	}
}

// alikeViews is the DuckDB warehouse with every sync's typed view failing
// with the same error, as a permission refused on a table each reads does
// on a server engine.
type alikeViews struct {
	*duckdb.Warehouse
	err   error
	spare int // the first syncs rebuilt
}

func (a alikeViews) RefreshViews(_ context.Context, syncs []string) error {
	e := warehouse.ViewErrors{}
	for _, s := range syncs[min(a.spare, len(syncs)):] {
		e[s] = a.err
	}
	return e.Err()
}

// Every sync's view failing alike is no sync's own fault: the load fails
// with that one cause (its class, its exit code), and the views stay
// pending for the next load, as after any refresh that failed as a whole.
func TestViewsFailingAlikeFailTheRefresh(t *testing.T) {
	ctx := context.Background()
	url, dir := generated(t, smallOptions())
	b := testbucket.Open(t, url)
	w := openWarehouse(t)
	denied := warehouse.Wrap(errors.New("permission denied for table sync_runs (SQLSTATE 42501)"), warehouse.Config, "permission", "grant it")
	rep, err := loader.New(b, dir, alikeViews{w, denied, 0}, loader.Options{}).Load(ctx)
	if err == nil || !errors.Is(err, denied) || warehouse.ClassOf(err) != warehouse.Config {
		t.Fatalf("load: %v, want the shared permission error, config", err)
	}
	syncs := rep.ViewsPending
	if len(rep.ViewErrors) != 0 || len(syncs) < 3 {
		t.Fatalf("view errors %v, pending %v: want none named a sync's own, every sync (3 or more) pending", rep.ViewErrors, syncs)
	}
	// One sync's view rebuilt beside them: the cause is not every view's,
	// so each failed one is named, and the load goes on.
	rep, err = loader.New(b, dir, alikeViews{w, denied, 1}, loader.Options{Views: syncs}).Load(ctx)
	if err != nil || len(rep.ViewErrors) != len(syncs)-1 || len(rep.ViewsPending) != 0 {
		t.Errorf("one view rebuilt: %v, view errors %v, pending %v; want the others named, nothing pending", err, rep.ViewErrors, rep.ViewsPending)
	}
}
