package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// wrongKeys counts the rows whose identifier key is not this DuckDB's key
// of their identifier (NULL included).
const wrongKeys = `SELECT count(*) FROM synctrack.sync_records
WHERE _identifier_hash IS DISTINCT FROM CAST(system.main.hash(identifier) >> 32 AS UINTEGER)`

// Every loaded row carries its identifier's key; a file made before the key
// gets the column, filled, when a load opens it; keys a DuckDB with another
// hash computed (its stamp differs) are computed again; and a reader trusts
// the keys only when the column's stamp is its own.
func TestIdentifierKey(t *testing.T) {
	ctx := context.Background()
	url, dir := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 2, 2, 50
	if _, err := gen.Generate(ctx, testbucket.Open(t, url), o); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "k.duckdb")
	w := openDuck(t, path)
	loadBucket(t, w, url, dir)
	rows := scalar(t, w, `SELECT count(*) FROM synctrack.sync_records`)
	if rows == 0 {
		t.Fatal("premise: the load wrote no rows")
	}
	if n := scalar(t, w, wrongKeys); n != 0 {
		t.Errorf("after a load: %d of %d rows with a wrong key", n, rows)
	}
	var id string
	if err := w.DB().QueryRow(`SELECT identifier FROM synctrack.sync_records WHERE identifier IS NOT NULL LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	trusted := func(when string, want bool) {
		t.Helper()
		r := duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: duckdb.DefaultMemoryLimit}, time.Now)
		defer r.Close()
		q, done, err := r.Open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer done()
		key, ok, err := q.(warehouse.IdentifierKeyer).IdentifierKey(ctx, id)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if ok != want {
			t.Fatalf("%s: reader trusts the keys: %v, want %v", when, ok, want)
		}
		if !ok {
			return
		}
		var n int64
		if err := q.(*duckdb.Warehouse).DB().QueryRowContext(ctx, `SELECT count(*) FROM synctrack.sync_records WHERE _identifier_hash = ? AND identifier = ?`, key, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("%s: key %d of %q finds no row", when, key, id)
		}
	}
	w.Close()
	trusted("after a load", true)

	// Keys from a DuckDB that hashes otherwise: its stamp differs. A reader
	// does not trust them; a writer computes them again.
	w = openDuck(t, path)
	for _, s := range []string{`UPDATE synctrack.sync_records SET _identifier_hash = 7`,
		`COMMENT ON COLUMN synctrack.sync_records._identifier_hash IS 'synctrack identifier key v1: 7'`} {
		if _, err := w.DB().Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	trusted("with another DuckDB's stamp", false)
	w = openDuck(t, path)
	if n := scalar(t, w, wrongKeys); n != 0 {
		t.Errorf("after reopening over another DuckDB's keys: %d of %d rows with a wrong key", n, rows)
	}
	// A file made before the key: no column.
	if _, err := w.DB().Exec(`ALTER TABLE synctrack.sync_records DROP COLUMN _identifier_hash`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	trusted("without the column", false)
	w = openDuck(t, path)
	defer w.Close()
	if n := scalar(t, w, wrongKeys); n != 0 {
		t.Errorf("after adding the column: %d of %d rows with a wrong key", n, rows)
	}
	if n := scalar(t, w, `SELECT count(*) FROM synctrack.sync_records`); n != rows {
		t.Errorf("after adding the column: %d rows, want %d", n, rows)
	}
	// Loads after the migration write keys too: a late file lands with them.
	if err := testbucket.Open(t, url).WriteAll(ctx, lateKey(t, dir), readFirst(t, dir), nil); err != nil {
		t.Fatal(err)
	}
	if rep := loadBucket(t, w, url, dir); rep.Files != 1 {
		t.Fatalf("loaded %d files, want the late one", rep.Files)
	}
	if n := scalar(t, w, wrongKeys); n != 0 {
		t.Errorf("after a late file: %d rows with a wrong key", n)
	}
	// A row another program inserted naming its columns has no key: readers
	// search without keys until a writer opens the file and keys it.
	if _, err := w.DB().Exec(`INSERT INTO synctrack.sync_records (identifier, _file, _row) VALUES ('by hand', 'by-hand.parquet', 0)`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	trusted("with a row written without a key", false)
	w = openDuck(t, path)
	if n := scalar(t, w, wrongKeys); n != 0 {
		t.Errorf("after reopening over a row without a key: %d rows with a wrong key", n)
	}
	w.Close()
	trusted("after the migration", true)
}

// DuckDB matches schema names whatever their case: a file made with one case
// of ?schema= and loaded with another keeps its keys (the column is found,
// not added a second time).
func TestIdentifierKeySchemaCase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.duckdb")
	for _, schema := range []string{"MySchema", "myschema", "MYSCHEMA"} {
		w, err := duckdb.Open(ctx, duckdb.Config{Path: path, Schema: schema, MemoryLimit: duckdb.DefaultMemoryLimit}, nil)
		if err != nil {
			t.Fatalf("open with schema %s: %v", schema, err)
		}
		_, ok, err := w.IdentifierKey(ctx, "x")
		w.Close()
		if err != nil || !ok {
			t.Errorf("schema %s: keys trusted %v, err %v", schema, ok, err)
		}
	}
}
