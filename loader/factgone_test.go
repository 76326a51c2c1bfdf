package loader_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/internal/unprivileged"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// A loaded fact file deleted from the bucket, with no other fact file
// changed, takes its rows out of its table on the next load (they stayed
// for ever: the table was rebuilt only for a new or changed file), in
// the rebuild that marks it deleted in the ledger; the other org's rows
// stay as they were. Once the table's last file is deleted it is empty;
// a file put back loads again.
func TestFactRowsOfADeletedFileLeave(t *testing.T) {
	url, dir := generated(t, smallOptions())
	w := openWarehouse(t)
	db := w.DB()
	ld := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 7})
	ctx := context.Background()
	loadOnce := func(what string) *loader.Report {
		t.Helper()
		rep, err := ld.Load(ctx)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return rep
	}
	loadOnce("first load")
	gone, stays := "metadata/1001/destinations.parquet", "metadata/1002/destinations.parquet"
	byFile := `SELECT _file, count(*) FROM synctrack.destinations GROUP BY 1`
	before := rows(t, db, byFile)
	if !slices.ContainsFunc(before, func(r string) bool { return filepath.Dir(r) == "metadata/1001" }) ||
		!slices.ContainsFunc(before, func(r string) bool { return filepath.Dir(r) == "metadata/1002" }) {
		t.Fatalf("premise: both orgs' destinations are loaded: %v", before)
	}
	others := `SELECT _file, id, name FROM synctrack.destinations WHERE _file <> '` + gone + `'`
	otherRows := rows(t, db, others)
	sources := rows(t, db, `SELECT _file, id, _loaded_at FROM synctrack.source_objects`)
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(gone)))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(gone))); err != nil {
		t.Fatal(err)
	}

	plan, err := ld.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g := plan.GoneFacts["destinations"]; len(g) != 1 || g[0].Key != gone || len(plan.GoneFacts) != 1 {
		t.Fatalf("plan.GoneFacts = %+v, want %s alone", plan.GoneFacts, gone)
	}
	if _, ok := plan.Facts["destinations"]; !ok || len(plan.Facts) != 1 {
		t.Fatalf("plan rebuilds %v, want destinations alone", keysOf(plan.Facts))
	}
	rep := loadOnce("load after the delete")
	if !slices.Equal(rep.DeletedFacts, []string{gone}) || len(rep.Deleted) != 0 || len(rep.Failed) != 0 {
		t.Fatalf("report: deleted facts %v, deleted %v, failed %v", rep.DeletedFacts, rep.Deleted, rep.Failed)
	}
	if n := one(t, db, `SELECT count(*) FROM synctrack.destinations WHERE _file = ?`, gone); n != "0" {
		t.Errorf("%s rows of the deleted file are still in destinations", n)
	}
	sameRows(t, "the other org's destinations", rows(t, db, others), otherRows)
	sameRows(t, "source_objects (no file of theirs changed)", rows(t, db, `SELECT _file, id, _loaded_at FROM synctrack.source_objects`), sources)
	status := `SELECT string_agg(status, ',' ORDER BY status) FROM synctrack.load_ledger WHERE key = ?`
	if got := one(t, db, status, gone); got != "deleted" {
		t.Errorf("ledger of the deleted file: %s, want deleted", got)
	}
	if p, err := ld.Plan(ctx); err != nil || len(p.Facts) != 0 || len(p.GoneFacts) != 0 {
		t.Fatalf("next plan: rebuilds %v, gone %v, %v: want nothing to do", keysOf(p.Facts), p.GoneFacts, err)
	}

	// The table's last file deleted: the table ends empty.
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(stays))); err != nil {
		t.Fatal(err)
	}
	if rep := loadOnce("load after the last file's delete"); !slices.Equal(rep.DeletedFacts, []string{stays}) {
		t.Fatalf("deleted facts %v, want %s", rep.DeletedFacts, stays)
	}
	if n := one(t, db, `SELECT count(*) FROM synctrack.destinations`); n != "0" {
		t.Errorf("destinations has %s rows with none of its files in the bucket", n)
	}

	// Put back, the file loads again, as a new version.
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(gone)), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if rep := loadOnce("load of the file put back"); rep.Files != 1 || len(rep.DeletedFacts) != 0 {
		t.Fatalf("the file put back: %d loaded, deleted facts %v", rep.Files, rep.DeletedFacts)
	}
	if n := one(t, db, `SELECT count(*) FROM synctrack.destinations WHERE _file = ?`, gone); n == "0" {
		t.Error("the file put back has no rows")
	}
	if got := one(t, db, status, gone); got != "deleted,loaded" {
		t.Errorf("ledger of the file put back: %s, want the old version deleted and the new loaded", got)
	}
}

// A fact file is counted deleted only by a complete listing of its
// prefix: a load of a run folder alone (a daemon's cycle for an event)
// reads no fact file's ledger row, and a listing that fails makes no plan.
func TestFactFileNotListedIsNotDeleted(t *testing.T) {
	url, dir := generated(t, smallOptions())
	w := openWarehouse(t)
	db := w.DB()
	b := testbucket.Open(t, url)
	ctx := context.Background()
	if _, err := loader.New(b, dir, w, loader.Options{BatchFiles: 7}).Load(ctx); err != nil {
		t.Fatal(err)
	}
	key := "metadata/1001/destinations.parquet"
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(key))); err != nil {
		t.Fatal(err)
	}
	inTable := `SELECT count(*) FROM synctrack.destinations WHERE _file = ?`
	had := one(t, db, inTable, key)
	if had == "0" {
		t.Fatal("premise: the file has rows")
	}
	run := loader.RunFolder(loader.Classify(filepath.ToSlash(mustRel(t, dir, findRecords(t, dir)[0]))))
	rep, err := loader.New(b, dir, w, loader.Options{Prefixes: []string{run}}).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.DeletedFacts) != 0 || one(t, db, inTable, key) != had {
		t.Errorf("a load of %s alone: deleted facts %v, rows %s (had %s)", run, rep.DeletedFacts, one(t, db, inTable, key), had)
	}

	// A listing of the fact prefix that fails after its first object.
	broken := errors.New("listing broke")
	failing := []loader.Listing{{Prefix: loader.FactsPrefix, List: func(ctx context.Context, fn func(loader.Object) error) error {
		if err := loader.BucketListings(b, dir, []string{loader.FactsPrefix}, loader.DefaultStallTimeout)[0].List(ctx, func(o loader.Object) error {
			if err := fn(o); err != nil {
				return err
			}
			return broken
		}); err != nil {
			return err
		}
		return nil
	}}}
	if p, err := loader.PlanStream(ctx, w, failing); !errors.Is(err, broken) || p != nil {
		t.Fatalf("plan of a broken listing: %v, %v; want no plan and its error", p, err)
	}
	// The same listing whole finds it.
	p, err := loader.PlanStream(ctx, w, loader.BucketListings(b, dir, []string{loader.FactsPrefix}, loader.DefaultStallTimeout))
	if err != nil {
		t.Fatal(err)
	}
	if g := p.GoneFacts["destinations"]; len(g) != 1 || g[0].Key != key || g[0].Status != warehouse.StatusLoaded {
		t.Fatalf("whole listing: gone facts %+v, want %s", p.GoneFacts, key)
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func mustRel(t *testing.T, base, p string) string {
	t.Helper()
	r, err := filepath.Rel(base, p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A fact folder the loader may not read is no folder without files: its
// listing fails (it was listed as empty, as gocloud's fileblob lists it,
// and its loaded fact files were then gone, their rows deleted). Asked of
// the listing itself, past the load's own check of the folders first.
func TestUnreadableFactFolderDeletesNothing(t *testing.T) {
	if unprivileged.Ran(t) {
		return
	}
	url, dir := generated(t, smallOptions())
	w := openWarehouse(t)
	b := testbucket.Open(t, url)
	ctx := context.Background()
	if _, err := loader.New(b, dir, w, loader.Options{}).Load(ctx); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "metadata", "1001")
	if err := os.Chmod(folder, 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(folder, 0o755)
	p, err := loader.PlanStream(ctx, w, loader.BucketListings(b, dir, []string{loader.FactsPrefix}, loader.DefaultStallTimeout))
	if err == nil {
		t.Fatalf("the listing of an unreadable fact folder succeeded; gone facts %+v", p.GoneFacts)
	}
	if warehouse.ClassOf(err) != warehouse.Config {
		t.Errorf("listing: %v (class %v); want the bucket's config error", err, warehouse.ClassOf(err))
	}
	before := rows(t, w.DB(), `SELECT _file, count(*) FROM synctrack.destinations GROUP BY 1`)
	if _, err := loader.New(b, dir, w, loader.Options{}).Load(ctx); err == nil {
		t.Error("a load over an unreadable fact folder succeeded")
	}
	if after := rows(t, w.DB(), `SELECT _file, count(*) FROM synctrack.destinations GROUP BY 1`); !slices.Equal(after, before) {
		t.Errorf("destinations went from %v to %v", before, after)
	}
}

// anonRebuilds refuses, with an error that names no file, every fact
// rebuild that holds a file whose key has "bad"; it rebuilds the others.
type anonRebuilds struct{ *duckdb.Warehouse }

func (r anonRebuilds) ReplaceFacts(ctx context.Context, table string, files []warehouse.File, keep warehouse.FactsKept) error {
	for _, f := range files {
		if strings.Contains(f.Key, "bad") {
			return errors.New("some error synctrack does not know")
		}
	}
	return r.Warehouse.ReplaceFacts(ctx, table, files, keep)
}

// A fact file deleted from the bucket while the same table gets one new
// file whose rebuild fails with an error naming none: the new file fails,
// and the deleted one's rows still leave, in this load. They stayed until
// the new file was quarantined, loads later (a review).
func TestDeletedFactRowsLeaveBesideAFailingNewFile(t *testing.T) {
	url, dir := generated(t, smallOptions())
	w := openWarehouse(t)
	b := testbucket.Open(t, url)
	load(t, b, dir, w)
	gone := filepath.Join(dir, "metadata", "1001", "destinations.parquet")
	data, err := os.ReadFile(gone)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "metadata", "1002", "destinations.bad.parquet"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := loader.New(b, dir, anonRebuilds{w}, loader.Options{BatchFiles: 7}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) != 1 || rep.Failed[0].Key != "metadata/1002/destinations.bad.parquet" {
		t.Errorf("failed %+v, want the new file alone", rep.Failed)
	}
	if got := rows(t, w.DB(), `SELECT DISTINCT _file FROM synctrack.destinations`); !slices.Equal(got, []string{"metadata/1002/destinations.parquet"}) {
		t.Errorf("destinations from %v, want metadata/1002/destinations.parquet alone", got)
	}
	if got := one(t, w.DB(), `SELECT status FROM synctrack.load_ledger WHERE key = 'metadata/1001/destinations.parquet'`); got != warehouse.StatusDeleted {
		t.Errorf("the deleted file's ledger row: %s, want deleted", got)
	}
}

// Every fact file missing from a listing of metadata/ that has none at all
// is a folder unmounted (its mount point left empty) or a listing that
// lost them, not every org's facts deleted: their rows stay, the plan
// counts them as vanished, and once the files are back nothing reloads.
// Taken as deleted, it emptied every fact table (a review).
func TestEveryFactFileVanishedKeepsTheRows(t *testing.T) {
	url, dir := generated(t, smallOptions())
	w := openWarehouse(t)
	db := w.DB()
	ld := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 7})
	ctx := context.Background()
	if _, err := ld.Load(ctx); err != nil {
		t.Fatal(err)
	}
	count := `SELECT (SELECT count(*) FROM synctrack.destinations) + (SELECT count(*) FROM synctrack.source_objects) + (SELECT count(*) FROM synctrack.destination_objects)`
	before := one(t, db, count)
	if before == "0" {
		t.Fatal("premise: no fact rows loaded")
	}
	meta, away := filepath.Join(dir, "metadata"), filepath.Join(t.TempDir(), "metadata")
	if err := os.Rename(meta, away); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(meta, 0o755); err != nil { // the mount point, left empty
		t.Fatal(err)
	}
	p, err := ld.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.GoneFacts) != 0 || len(p.Facts) != 0 || p.VanishedFacts == 0 {
		t.Fatalf("plan: gone %v, facts %v, vanished %d; want none gone or rebuilt, some vanished", p.GoneFacts, p.Facts, p.VanishedFacts)
	}
	if _, err := ld.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if got := one(t, db, count); got != before {
		t.Errorf("fact rows %s after the load, %s before", got, before)
	}
	if n := one(t, db, `SELECT count(*) FROM synctrack.load_ledger WHERE status = 'deleted'`); n != "0" {
		t.Errorf("%s ledger rows deleted", n)
	}
	os.Remove(meta)
	if err := os.Rename(away, meta); err != nil {
		t.Fatal(err)
	}
	if p, err := ld.Plan(ctx); err != nil || len(p.Facts) != 0 || p.VanishedFacts != 0 {
		t.Errorf("plan once the files are back: %v, facts %v, vanished %d; want nothing to do", err, p.Facts, p.VanishedFacts)
	}
}

// Every file of a fact table deleted from the bucket, the other tables'
// files still there: the table is rebuilt from none, with no rows and its
// own columns only; a column only the deleted files gave goes with them,
// as on Snowflake (a new table from the required columns, swapped in) and
// BigQuery (whose fact tables have no other columns). PostgreSQL keeps
// the column, empty (warehouse/postgres TestFactColumnsOfDeletedFilesStay).
// A file put back brings its column back.
func TestEveryFileOfAFactTableDeletedTakesItsColumns(t *testing.T) {
	url, dir := generated(t, smallOptions())
	mem := memDuckDB(t)
	keys := []string{"metadata/1001/destinations.parquet", "metadata/1002/destinations.parquet"}
	data := map[string][]byte{}
	for _, k := range keys {
		f := filepath.Join(dir, filepath.FromSlash(k))
		if _, err := mem.Exec(`COPY (SELECT *, 'eu' AS region FROM read_parquet('` + f + `')) TO '` + f + `.tmp' (FORMAT parquet)`); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(f+".tmp", f); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data[k] = b
	}
	w := openWarehouse(t)
	db := w.DB()
	ld := loader.New(testbucket.Open(t, url), dir, w, loader.Options{})
	ctx := context.Background()
	if _, err := ld.Load(ctx); err != nil {
		t.Fatal(err)
	}
	cols := `SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
WHERE table_schema = 'synctrack' AND table_name = 'destinations'`
	if got := one(t, db, cols); got != "id,type,name,region,org_id,_file,_loaded_at" {
		t.Fatalf("premise: destinations has columns %s", got)
	}
	for _, k := range keys {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(k))); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := ld.Load(ctx)
	if err != nil || !slices.Equal(rep.DeletedFacts, keys) {
		t.Fatalf("load after the deletes: deleted facts %v, %v", rep.DeletedFacts, err)
	}
	if got := one(t, db, cols); got != "id,type,name,org_id,_file,_loaded_at" {
		t.Errorf("destinations with none of its files in the bucket has columns %s, want its own alone", got)
	}
	if n := one(t, db, `SELECT count(*) FROM synctrack.destinations`); n != "0" {
		t.Errorf("destinations has %s rows with none of its files in the bucket", n)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(keys[0])), data[keys[0]], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ld.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if got := one(t, db, `SELECT string_agg(DISTINCT region, ',') FROM synctrack.destinations`); got != "eu" {
		t.Errorf("the file put back: region %q, want eu", got)
	}
}
