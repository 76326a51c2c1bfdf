package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// A loaded fact file deleted from the bucket, no other changed, takes its
// rows out of its table and is marked deleted in the ledger, here as on
// DuckDB (loader's TestFactRowsOfADeletedFileLeave); once the table's
// last file is deleted, the table is empty.
func TestFactRowsOfADeletedFileLeave(t *testing.T) {
	url, dir := testbucket.Dir(t)
	writeParquet(t, dir, "metadata/o1/destinations.parquet", []gen.NamedObject{{ID: "1", Type: "T", Name: "one"}, {ID: "2", Type: "T", Name: "two"}})
	writeParquet(t, dir, "metadata/o2/destinations.parquet", []gen.NamedObject{{ID: "1", Type: "T", Name: "uno"}})
	// A fact file that stays: with no fact file listed at all, the missing
	// ones are taken for vanished (an unmounted folder), not deleted.
	writeParquet(t, dir, "metadata/o1/source_objects.parquet", []gen.SourceObject{{ID: "1", Type: "T", Name: "src"}})
	w := open(t, pgtest.URL(t), warehouse.Options{})
	load := func(what string) *loader.Report {
		t.Helper()
		rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return rep
	}
	load("first load")
	names := `SELECT COALESCE(string_agg(org_id || '/' || id || '=' || name, ' ' ORDER BY org_id, id), '') FROM synctrack_schema.destinations`
	if got := one(t, w, names); got != "o1/1=one o1/2=two o2/1=uno" {
		t.Fatalf("premise: first load gives %q", got)
	}
	status := `SELECT status FROM synctrack_schema.load_ledger WHERE key = $1`
	for i, org := range []string{"o1", "o2"} {
		key := "metadata/" + org + "/destinations.parquet"
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(key))); err != nil {
			t.Fatal(err)
		}
		rep := load("load after deleting " + key)
		if !slices.Equal(rep.DeletedFacts, []string{key}) {
			t.Errorf("deleted facts %v, want %s", rep.DeletedFacts, key)
		}
		want := []string{"o2/1=uno", ""}[i]
		if got := one(t, w, names); got != want {
			t.Errorf("after deleting %s: destinations %q, want %q", key, got, want)
		}
		if got := one(t, w, status, key); got != warehouse.StatusDeleted {
			t.Errorf("ledger of %s: %s, want deleted", key, got)
		}
	}
}

// regionalObject is a destinations row with a column of the vendor's that
// synctrack does not require.
type regionalObject struct {
	ID     string `parquet:"id"`
	Type   string `parquet:"type"`
	Name   string `parquet:"name"`
	Region string `parquet:"region"`
}

// Every file of a fact table deleted from the bucket: the table has no
// rows, and keeps the column only those files gave, empty, as PostgreSQL
// keeps a fact table's columns (it is rebuilt in place: views depend on
// it, and a view of the user's on that column would stop a DROP COLUMN).
// DuckDB and Snowflake rebuild the table from its own columns and drop it
// (loader's TestEveryFileOfAFactTableDeletedTakesItsColumns); README says
// both.
func TestFactColumnsOfDeletedFilesStay(t *testing.T) {
	url, dir := testbucket.Dir(t)
	writeParquet(t, dir, "metadata/o1/destinations.parquet", []regionalObject{{ID: "1", Type: "T", Name: "one", Region: "eu"}})
	writeParquet(t, dir, "metadata/o1/source_objects.parquet", []gen.SourceObject{{ID: "1", Type: "T", Name: "src"}})
	w := open(t, pgtest.URL(t), warehouse.Options{})
	ld := loader.New(testbucket.Open(t, url), dir, w, loader.Options{})
	if _, err := ld.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	cols := `SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
WHERE table_schema = $1 AND table_name = 'destinations'`
	if got := one(t, w, cols, w.Schema()); got != "id,type,name,org_id,_file,_loaded_at,region" {
		t.Fatalf("premise: destinations has columns %s", got)
	}
	if err := os.Remove(filepath.Join(dir, "metadata", "o1", "destinations.parquet")); err != nil {
		t.Fatal(err)
	}
	if rep, err := ld.Load(context.Background()); err != nil || len(rep.DeletedFacts) != 1 {
		t.Fatalf("load after the delete: %v, %v", rep, err)
	}
	if got := one(t, w, cols, w.Schema()); got != "id,type,name,org_id,_file,_loaded_at,region" {
		t.Errorf("destinations with none of its files in the bucket has columns %s, want them kept", got)
	}
	if n := one(t, w, `SELECT count(*) FROM synctrack_schema.destinations`); n != "0" {
		t.Errorf("destinations has %s rows with none of its files in the bucket", n)
	}
}
