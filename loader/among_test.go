package loader_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// counting counts a warehouse's LoadRecords calls.
type counting struct {
	*duckdb.Warehouse
	calls int
}

func (c *counting) LoadRecords(ctx context.Context, fs []warehouse.File) (warehouse.Loaded, error) {
	c.calls++
	return c.Warehouse.LoadRecords(ctx, fs)
}

// A file whose batch start is text that is no time fails DuckDB's cast with
// an error that quotes the value and names no file. The batch was halved
// down to it: a dozen loads of halves of a batch of 56; a 3.4 s load of 640
// files took 11 s with one such file. Such a file has a shape of its own, read in a
// statement of its own, so the fault is among that statement's files: the
// rest load in one call more, and only those are narrowed down.
func TestConversionErrorIsNarrowedToItsStatement(t *testing.T) {
	for _, c := range []struct {
		name     string
		odd      map[string]string
		maxCalls int
	}{
		// The batch, then the rest; the file alone in its statement fails
		// without a call of its own.
		{"alone in its shape", map[string]string{"records_updated.95.parquet": "'not a time' AS batch_started_at"}, 2},
		// The batch, the rest, then each of the two files of the shape.
		{"beside a good file of its shape", map[string]string{
			"records_updated.95.parquet": "'not a time' AS batch_started_at",
			"records_updated.96.parquet": "CAST(batch_started_at AS VARCHAR) AS batch_started_at"}, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			url, dir := generated(t, smallOptions())
			good := findRecords(t, dir)[0]
			runDir := filepath.Dir(good)
			mem := memDuckDB(t)
			for name, repl := range c.odd {
				q := `COPY (SELECT * REPLACE (` + repl + `) FROM read_parquet('` + good + `')) TO '` + filepath.Join(runDir, name) + `'`
				if _, err := mem.Exec(q); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			bad := filepath.ToSlash(strings.TrimPrefix(filepath.Join(runDir, "records_updated.95.parquet"), dir+"/"))
			w := &counting{Warehouse: openWarehouse(t)}
			rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 1000}).Load(context.Background())
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if len(rep.Failed) != 1 || rep.Failed[0].Key != bad || !strings.Contains(rep.Failed[0].Err.Error(), "Conversion Error") {
				t.Fatalf("failed %v, want only %s with its conversion error", rep.Failed, bad)
			}
			if w.calls > c.maxCalls {
				t.Errorf("%d LoadRecords calls for one batch, want at most %d", w.calls, c.maxCalls)
			}
			db := w.DB()
			want := one(t, db, `SELECT count(*) FROM read_parquet(`+rawGlob(dir)+`, filename = true) WHERE NOT filename LIKE '%records_updated.95.parquet'`)
			if got := one(t, db, `SELECT count(*) FROM synctrack.sync_records`); got != want {
				t.Fatalf("%s rows loaded, the other files hold %s", got, want)
			}
			if n := one(t, db, countsDisagree); n != "0" {
				t.Errorf("the per-run counts disagree with the rows on %s (file, outcome) pairs", n)
			}
		})
	}
}

// What an engine says the fault is among is narrowed down alone, the rest
// loaded in one call; a bad item among the rest is still found there.
func TestIsolateNarrowsWhatTheFaultIsAmong(t *testing.T) {
	keys := make([]string, 32)
	for i := range keys {
		keys[i] = string(rune('A'+i%26)) + string(rune('a'+i/26))
	}
	bad := map[string]bool{"Ca": true, "Xa": true}
	among := keys[:8] // Ca is among them; Xa is not
	var calls [][]string
	op := func(batch []string) error {
		calls = append(calls, batch)
		var named []string
		for _, k := range batch {
			if bad[k] {
				named = append(named, k)
			}
		}
		if len(named) == 0 {
			return nil
		}
		e := &warehouse.Error{Class: warehouse.Data, Reason: "bad_object", Err: errors.New("Conversion Error: " + strings.Join(named, ","))}
		for _, k := range batch {
			if slices.Contains(among, k) {
				e.Among = append(e.Among, k)
			}
		}
		return e
	}
	failed := map[string]error{}
	if err := loader.IsolateKeys(context.Background(), keys, op, func(k string, err error) { failed[k] = err }); err != nil {
		t.Fatal(err)
	}
	if len(failed) != 2 || failed["Ca"] == nil || failed["Xa"] == nil {
		t.Fatalf("failed %v, want Ca and Xa", failed)
	}
	if len(calls) < 2 || !slices.Equal(calls[1], keys[len(among):]) {
		t.Fatalf("calls %v: want the batch, then the 24 items the fault is not among", calls)
	}
	for _, c := range calls[2:] {
		in := slices.ContainsFunc(c, func(k string) bool { return slices.Contains(among, k) })
		out := slices.ContainsFunc(c, func(k string) bool { return !slices.Contains(among, k) })
		if in && out {
			t.Fatalf("a call after the rest's mixes the two: %v", c)
		}
	}
}
