package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

type scoredInt struct {
	ID    string `parquet:"id"`
	Name  string `parquet:"name"`
	Score int64  `parquet:"score"`
}

type scoredText struct {
	ID    string `parquet:"id"`
	Name  string `parquet:"name"`
	Score string `parquet:"score"`
}

// Two orgs' fact files whose extra column has two types (an integer in
// one, text in the other) both load, the column as text, whichever file is
// newer and whichever loaded first, as on DuckDB. Before, the column took
// the type of the first file read (the newest) or of the table, and the
// other org's sound file failed on every load ("invalid input syntax for
// type bigint"), then was quarantined: its rows never in the table (found
// by a review with hostile buckets).
func TestFactColumnOfTwoTypesLoadsAsText(t *testing.T) {
	for _, tc := range []struct {
		name     string
		together bool
	}{{"one load, the integer file newer", true}, {"the integer file loaded first", false}} {
		t.Run(tc.name, func(t *testing.T) {
			url, dir := testbucket.Dir(t)
			w := open(t, pgtest.URL(t), warehouse.Options{})
			load := func(what string) {
				t.Helper()
				rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if len(rep.Failed) != 0 {
					t.Errorf("%s: failed %v, want none", what, rep.Failed)
				}
			}
			writeParquet(t, dir, "metadata/o2/destinations.parquet", []scoredText{{ID: "2", Name: "two", Score: "high"}})
			old := time.Now().Add(-time.Hour)
			if err := os.Chtimes(filepath.Join(dir, "metadata/o2/destinations.parquet"), old, old); err != nil {
				t.Fatal(err)
			}
			if !tc.together {
				if err := os.Rename(filepath.Join(dir, "metadata/o2"), filepath.Join(dir, "o2-later")); err != nil {
					t.Fatal(err)
				}
			}
			writeParquet(t, dir, "metadata/o1/destinations.parquet", []scoredInt{{ID: "1", Name: "one", Score: 7}})
			load("first load")
			if !tc.together {
				if err := os.Rename(filepath.Join(dir, "o2-later"), filepath.Join(dir, "metadata/o2")); err != nil {
					t.Fatal(err)
				}
				load("second load")
			}
			if got := one(t, w, `SELECT string_agg(org_id || ':' || id || '=' || score, ' ' ORDER BY id) FROM synctrack_schema.destinations`); got != "o1:1=7 o2:2=high" {
				t.Errorf("destinations %q, want o1:1=7 o2:2=high", got)
			}
		})
	}
}
