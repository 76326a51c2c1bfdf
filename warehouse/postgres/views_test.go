package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/reportrun"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// A typed view takes a new field even where CREATE OR REPLACE VIEW cannot
// (a column inserted before others); its columns read the payload typed; a
// report binds its parameters, a hostile one included.
func TestTypedViewsAndReports(t *testing.T) {
	ctx := context.Background()
	w, views := twoSyncs(t)
	view, sync := splitBar(views[0])[0], splitBar(views[0])[1]
	// Every typed column reads: a cast that failed would fail the query.
	n := rowsOf(t, w, `SELECT count(*) FROM synctrack_schema.`+w.Dialect().Ident(view))
	if len(n) != 1 || n[0] != "20" {
		t.Errorf("%s has %v rows, want 20", view, n)
	}
	typed := rowsOf(t, w, `SELECT column_name, column_type FROM synctrack_schema.payload_columns WHERE sync_configuration_id = $1 AND column_type <> 'json'`, sync)
	for _, c := range typed {
		col := splitBar(c)[0]
		nonNull := rowsOf(t, w, `SELECT count(`+w.Dialect().Ident(col)+`) FROM synctrack_schema.`+w.Dialect().Ident(view))
		if nonNull[0] == "0" {
			t.Errorf("%s.%s (%s) is NULL on every row", view, col, splitBar(c)[1])
		}
	}

	// A run whose schema adds a field named to sort first.
	runs := []warehouse.Run{{Object: warehouse.Object{Key: "sync_tracking_datasets/1/" + sync + "/new/metadata.json", ETag: "e", Kind: warehouse.KindMetadata},
		Meta: warehouse.RunMeta{OrgID: "1", SyncConfigurationID: sync, SyncRunID: "new",
			PayloadSchema: map[string]string{"aaa first": "number"}, Raw: []byte(`{}`)}}}
	if err := w.LoadRuns(ctx, runs); err != nil {
		t.Fatal(err)
	}
	if err := w.RefreshViews(ctx, []string{sync}); err != nil {
		t.Fatalf("refresh with a new first column: %v", err)
	}
	if got := rowsOf(t, w, `SELECT count(aaa_first) FROM synctrack_schema.`+w.Dialect().Ident(view)); len(got) != 1 || got[0] != "0" {
		t.Errorf("new column: %v", got)
	}

	for _, v := range []string{sync, "x'; DROP TABLE sync_records; --"} {
		var out bytes.Buffer
		ew, _ := export.New("csv", &out)
		rows, err := reportrun.Run(ctx, w, "records", analysis.Values{analysis.ParamSync: v, analysis.ParamLimit: 5}, ew)
		if err != nil {
			t.Fatalf("records --sync %q: %v", v, err)
		}
		if want := map[bool]int64{true: 5, false: 0}[v == sync]; rows != want || strings.Count(out.String(), "\n") != int(want)+1 {
			t.Errorf("records --sync %q: %d rows:\n%s", v, rows, out.String())
		}
	}
	var out bytes.Buffer
	ew, _ := export.New("parquet", &out)
	if _, err := reportrun.Run(ctx, w, "run_summary", analysis.Values{}, ew); err != nil || out.Len() == 0 {
		t.Errorf("run_summary as parquet: %v", err)
	}
}

// A number column's value that DOUBLE PRECISION cannot hold is an
// infinity or a zero, as DuckDB reads it, or NULL where DuckDB's reading
// would take more than the view's guards (a string of 1,000 characters or
// more, an exponent of five digits): cast as it is, one such payload
// failed every query on the view ("out of range for type double precision").
func TestTypedViewNumberOutOfRange(t *testing.T) {
	ctx := context.Background()
	url, dir := testbucket.Dir(t)
	b := testbucket.Open(t, url)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 1, 1, 20
	if _, err := gen.Generate(ctx, b, o); err != nil {
		t.Fatal(err)
	}
	w := open(t, pgtest.URL(t), warehouse.Options{})
	if _, err := loader.New(b, dir, w, loader.Options{}).Load(ctx); err != nil {
		t.Fatal(err)
	}
	cols := rowsOf(t, w, `SELECT view_name, field_name, column_name FROM synctrack_schema.payload_columns WHERE column_type = 'number' ORDER BY 2 LIMIT 1`)
	if len(cols) != 1 {
		t.Fatalf("no number column: %v", cols)
	}
	c := splitBar(cols[0])
	view, field, col := w.Dialect().Ident(c[0]), c[1], w.Dialect().Ident(c[2])
	values := map[string]string{ // the payload's value -> the view's
		`1e400`: "+Inf", `-1e400`: "-Inf", `1e-400`: "0", `"1e400"`: "+Inf", `"1e-400"`: "0",
		`"1e99999"`: "", `"1` + strings.Repeat("0", 2000) + `"`: "", `0.0e-400`: "0", `"-0"`: "-0",
		`1e300`: "1e+300", `" 12 "`: "12", `-2.5e-3`: "-0.0025", `12345678901234567890`: "1.2345678901234567e+19",
	}
	row := 0
	for in, want := range values {
		if _, err := w.(*postgres.Warehouse).Pool().Exec(ctx, `UPDATE `+w.Dialect().Ident(w.Schema())+`.sync_records
SET record_payload = jsonb_build_object($1::text, CAST($2 AS jsonb)) WHERE _row = $3`, field, in, row); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		got := rowsOf(t, w, `SELECT `+col+` FROM synctrack_schema.`+view+` WHERE _row = $1`, row)
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s in a number field: the view gives %v, want %s", in, got, want)
		}
		row++
	}
}

// A number column's expression never fails, whatever the database's
// LC_CTYPE: where it is a UTF-8 locale, the regular expression's \s took
// Unicode's spaces, which NUMERIC does not skip, and a string such as
// U+2003 then "1" failed every query on the view.
func TestTypedViewNumberUnicodeSpaces(t *testing.T) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgtest.Server(t).ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	db := fmt.Sprintf("utf8ctype_%d", os.Getpid())
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+db+` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'`); err != nil {
		if os.Getenv(pgtest.RequireEnv) != "" {
			t.Fatalf("no database with a UTF-8 LC_CTYPE here, and %s is set: %v", pgtest.RequireEnv, err)
		}
		t.Skipf("no database with a UTF-8 LC_CTYPE here: %v", err)
	}
	defer admin.Exec(context.WithoutCancel(ctx), `DROP DATABASE `+db+` WITH (FORCE)`)
	c, err := pgx.Connect(ctx, strings.Replace(pgtest.Server(t).ConnString(), "/"+pgtest.Database+"?", "/"+db+"?", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `CREATE TABLE sync_records (sync_configuration_id TEXT, record_payload JSONB)`); err != nil {
		t.Fatal(err)
	}
	body := dialects.Postgres{}.TypedView("public", "s", []string{"sync_configuration_id"}, []dialects.PayloadColumn{{Field: "n", Column: "n", Type: "number"}})
	for in, want := range map[string]string{ // the string -> the view's number
		"\u20031": "", "1\u3000": "", "\u00a01": "", "\u2028-2.5e3": "",
		" 7 ": "7", "\t12\n": "12", "\v\f+.5\r": "0.5", "1e5": "100000",
	} {
		if _, err := c.Exec(ctx, `TRUNCATE sync_records`); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Exec(ctx, `INSERT INTO sync_records VALUES ('s', jsonb_build_object('n', $1::text))`, in); err != nil {
			t.Fatal(err)
		}
		var got *float64
		if err := c.QueryRow(ctx, `SELECT n FROM (`+body+`) AS v`).Scan(&got); err != nil {
			t.Errorf("%q in a number field: %v", in, err)
			continue
		}
		text := ""
		if got != nil {
			text = fmt.Sprint(*got)
		}
		if text != want {
			t.Errorf("%q in a number field: the view gives %q, want %q", in, text, want)
		}
	}
}

// A view of the user's built on one sync's typed view stops only that view's
// rebuild (2BP01 when a new field must drop it): the other sync gets its new
// column in the same refresh, and the failed one comes back as a config
// error saying what to do.
func TestUsersViewStopsOnlyItsSync(t *testing.T) {
	ctx := context.Background()
	w, views := twoSyncs(t)
	mine, other := splitBar(views[0]), splitBar(views[1])
	pg, err := pgx.Connect(ctx, pgtest.Server(t).ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close(ctx)
	if _, err := pg.Exec(ctx, `CREATE VIEW `+w.Schema()+`_mine AS SELECT * FROM `+w.Dialect().Table(w.Schema(), mine[0])); err != nil {
		t.Fatal(err)
	}
	// A run of each sync adds a field that sorts first: the view is dropped
	// and made again, which my_view forbids for the first.
	var runs []warehouse.Run
	for _, s := range []string{mine[1], other[1]} {
		runs = append(runs, warehouse.Run{Object: warehouse.Object{Key: "sync_tracking_datasets/1/" + s + "/new/metadata.json", ETag: "e", Kind: warehouse.KindMetadata},
			Meta: warehouse.RunMeta{OrgID: "1", SyncConfigurationID: s, SyncRunID: "new",
				PayloadSchema: map[string]string{"aaa first": "number"}, Raw: []byte(`{}`)}})
	}
	if err := w.LoadRuns(ctx, runs); err != nil {
		t.Fatal(err)
	}
	err = w.RefreshViews(ctx, []string{mine[1], other[1]})
	var own warehouse.ViewErrors
	if !errors.As(err, &own) {
		t.Fatalf("refresh: %v, want the one sync's view error", err)
	}
	if got := own.Syncs(); len(got) != 1 || got[0] != mine[1] {
		t.Fatalf("failed syncs %v, want %s", got, mine[1])
	}
	if reason, _ := warehouse.Explain(own[mine[1]]); warehouse.ClassOf(own) != warehouse.Config || reason != "dependents" {
		t.Errorf("class %v reason %q: want config, dependents (%v)", warehouse.ClassOf(own), reason, own)
	}
	// The error names the view of the user's that stops it (the server's
	// DETAIL), not only that something does.
	if msg := own[mine[1]].Error(); !strings.Contains(msg, w.Schema()+"_mine") {
		t.Errorf("the error does not name the dependent view %s_mine: %s", w.Schema(), msg)
	}
	if got := rowsOf(t, w, `SELECT count(aaa_first) FROM synctrack_schema.`+w.Dialect().Ident(other[0])); len(got) != 1 || got[0] != "0" {
		t.Errorf("the other sync's view lacks its new column: %v", got)
	}
	if got := rowsOf(t, w, `SELECT count(*) FROM `+w.Schema()+`_mine`); len(got) != 1 || got[0] != "20" {
		t.Errorf("my_view reads %v rows, want 20", got)
	}
	cols := rowsOf(t, w, `SELECT column_name FROM synctrack_schema.payload_columns WHERE sync_configuration_id = $1 AND column_name = 'aaa_first'`, mine[1])
	if len(cols) != 0 {
		t.Errorf("the failed sync's catalog is ahead of its view: %v", cols)
	}
}

// twoSyncs loads a generated bucket of two syncs, one run of 20 rows each,
// into a new schema, and returns the warehouse and its typed views as
// "view|sync", sorted.
func twoSyncs(t *testing.T) (warehouse.Warehouse, []string) {
	t.Helper()
	ctx := context.Background()
	url, dir := testbucket.Dir(t)
	b := testbucket.Open(t, url)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 1, 1, 20
	if _, err := gen.Generate(ctx, b, o); err != nil {
		t.Fatal(err)
	}
	w := open(t, pgtest.URL(t), warehouse.Options{})
	if _, err := loader.New(b, dir, w, loader.Options{}).Load(ctx); err != nil {
		t.Fatal(err)
	}
	views := rowsOf(t, w, `SELECT DISTINCT view_name, sync_configuration_id FROM synctrack_schema.payload_columns ORDER BY 1`)
	if len(views) != 2 {
		t.Fatalf("typed views %v", views)
	}
	return w, views
}

// Two syncs whose ids share their first 70 bytes get views of their own,
// each with its own sync's rows: their names were 73 bytes, which
// PostgreSQL cut to one 63-byte name, so the second sync's view replaced
// the first's (found by a review). A catalog naming such a cut view is
// renamed by the next refresh, whichever syncs it is asked for, and the
// cut view dropped.
func TestLongSyncIDsGetViewsOfTheirOwn(t *testing.T) {
	ctx := context.Background()
	w, views := twoSyncs(t)
	exec := execer(t, w)
	// The two syncs take ids that share their first 70 bytes.
	ids := []string{strings.Repeat("b", 70) + "x", strings.Repeat("b", 70) + "y"}
	renameSyncs(t, w, views, ids)
	if err := w.RefreshViews(ctx, ids); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		views := rowsOf(t, w, `SELECT DISTINCT view_name || '|' || sync_configuration_id FROM synctrack_schema.payload_columns ORDER BY 1`)
		if len(views) != 2 {
			t.Fatalf("%s: typed views %v", when, views)
		}
		for _, v := range views {
			name, id := splitBar(v)[0], splitBar(v)[1]
			if len(name) > 63 {
				t.Errorf("%s: view %q of %d bytes", when, name, len(name))
			}
			got := rowsOf(t, w, `SELECT DISTINCT sync_configuration_id FROM synctrack_schema.`+w.Dialect().Ident(name))
			if len(got) != 1 || got[0] != id {
				t.Errorf("%s: view %s of sync %s holds the rows of %v", when, name, id, got)
			}
		}
	}
	check("loaded")
	// The catalog of a schema made before: the 73-byte names, one view
	// under their cut name.
	for _, id := range ids {
		long := "sync_records_" + id[:51] + "_" + "0000000" + id[70:]
		exec(`UPDATE synctrack_schema.payload_columns SET view_name = $1 WHERE sync_configuration_id = $2`, long, id)
	}
	cut := "sync_records_" + ids[0][:50]
	exec(`CREATE VIEW synctrack_schema.` + cut + ` AS SELECT * FROM synctrack_schema.sync_records WHERE sync_configuration_id = $$` + ids[1] + `$$`)
	if err := w.RefreshViews(ctx, nil); err != nil {
		t.Fatal(err)
	}
	check("renamed")
	if got := rowsOf(t, w, `SELECT count(*) FROM pg_views WHERE schemaname = $1 AND viewname = $2`, w.Schema(), cut); got[0] != "0" {
		t.Errorf("the cut view is left: %v", got)
	}
}

// A sync whose own name is exactly another's cut name keeps its view, its
// own rows in it: the other's rename dropped it, and nothing rebuilt it
// (found by a review).
func TestCutNameRepairKeepsTheSyncNamedSo(t *testing.T) {
	ctx := context.Background()
	w, views := twoSyncs(t)
	exec := execer(t, w)
	ids := []string{strings.Repeat("b", 60), strings.Repeat("b", 50)}
	renameSyncs(t, w, views, ids)
	// As names were given before: the 60-byte id's name is 73 bytes, cut to
	// the 50-byte id's; the view under it holds the first's rows.
	for _, id := range ids {
		exec(`INSERT INTO synctrack_schema.payload_columns VALUES ($1, $2, 'f', 'f', 'string')`, id, "sync_records_"+id)
	}
	cut := "sync_records_" + ids[1]
	exec(`CREATE VIEW synctrack_schema.` + cut + ` AS SELECT * FROM synctrack_schema.sync_records WHERE sync_configuration_id = $$` + ids[0] + `$$`)
	if err := w.RefreshViews(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := rowsOf(t, w, `SELECT DISTINCT sync_configuration_id FROM synctrack_schema.`+cut); len(got) != 1 || got[0] != ids[1] {
		t.Errorf("the view %s holds the rows of %v, want %s's", cut, got, ids[1])
	}
	long := rowsOf(t, w, `SELECT DISTINCT view_name FROM synctrack_schema.payload_columns WHERE sync_configuration_id = $1`, ids[0])
	if len(long) != 1 || len(long[0]) > 63 {
		t.Fatalf("the 60-byte id's view: %v", long)
	}
	if got := rowsOf(t, w, `SELECT DISTINCT sync_configuration_id FROM synctrack_schema.`+long[0]); len(got) != 1 || got[0] != ids[0] {
		t.Errorf("the view %s holds the rows of %v, want %s's", long[0], got, ids[0])
	}
}

// execer runs a statement on w, its schema written synctrack_schema.
func execer(t *testing.T, w warehouse.Warehouse) func(q string, args ...any) {
	return func(q string, args ...any) {
		t.Helper()
		q = strings.ReplaceAll(q, "synctrack_schema", w.Dialect().Ident(w.Schema()))
		if _, err := w.(*postgres.Warehouse).Pool().Exec(context.Background(), q, args...); err != nil {
			t.Fatal(err)
		}
	}
}

// renameSyncs gives the syncs of twoSyncs' views these ids, their views
// and catalog rows gone, as a warehouse loaded with those ids before
// their views were made.
func renameSyncs(t *testing.T, w warehouse.Warehouse, views, ids []string) {
	t.Helper()
	exec := execer(t, w)
	for i, v := range views {
		old := splitBar(v)
		for _, table := range []string{"sync_records", "sync_runs"} {
			exec(`UPDATE synctrack_schema.`+table+` SET sync_configuration_id = $1 WHERE sync_configuration_id = $2`, ids[i], old[1])
		}
		exec(`DROP VIEW synctrack_schema.` + w.Dialect().Ident(old[0]))
	}
	exec(`DELETE FROM synctrack_schema.payload_columns`)
}
