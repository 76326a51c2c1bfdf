package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// A fact file whose new version is half-written keeps the rows of the
// version loaded: an id that a file new since then gives again is the new
// file's; one an older file, loaded with it, gives stays the kept row's,
// which beat it then (found by a review: any file's row replaced it).
func TestFactRowsKeptRankedByTheirFiles(t *testing.T) {
	url, dir := testbucket.Dir(t)
	org := filepath.Join(dir, "metadata", "o1")
	rows := []gen.NamedObject{{ID: "1", Type: "T", Name: "one"}, {ID: "2", Type: "T", Name: "two"}, {ID: "3", Type: "T", Name: "three"}}
	writeParquet(t, dir, "metadata/o1/destinations.parquet", rows)
	writeParquet(t, dir, "metadata/o1/destinations.0.parquet", []gen.NamedObject{{ID: "1", Type: "T", Name: "stale"}})
	now := time.Now()
	for f, age := range map[string]time.Duration{"destinations.0.parquet": 2 * time.Hour, "destinations.parquet": time.Hour} {
		if err := os.Chtimes(filepath.Join(org, f), now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
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
	names := `SELECT string_agg(id || '=' || name, ' ' ORDER BY id) FROM synctrack_schema.destinations`
	if got := one(t, w, names); got != "1=one 2=two 3=three" {
		t.Fatalf("premise: first load gives %q", got)
	}
	writeParquet(t, dir, "metadata/o1/destinations.1.parquet", []gen.NamedObject{{ID: "3", Type: "T", Name: "renamed"}})
	data, err := os.ReadFile(filepath.Join(org, "destinations.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(org, "destinations.parquet"), data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if rep := load("load with the half-written file"); len(rep.Failed) != 1 {
		t.Fatalf("failed %v, want the half-written file alone", rep.Failed)
	}
	if got := one(t, w, names); got != "1=one 2=two 3=renamed" {
		t.Errorf("destinations %q, want 1=one 2=two 3=renamed: kept rows but for the new file's id", got)
	}
}
