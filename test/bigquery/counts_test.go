package bigquery_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/synctrack/synctrack/loader"
)

// A dataset made before the per-run counts: opening it for a load creates
// the tables (through the API) and fills them from sync_records for the
// files the ledger has loaded; opening it again fills nothing twice.
func TestCountsBackfill(t *testing.T) {
	e := newEnv(t)
	e.generate(t, smallOptions())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	w := e.open(t)
	if rep, err := loader.New(e.bucket, "", w, loader.Options{}).Load(ctx); err != nil || len(rep.Failed) > 0 {
		t.Fatalf("load: %+v %v", rep, err)
	}
	perFile := func() string {
		return fmt.Sprint(bqRows(t, w, `SELECT CONCAT(_file, ' ', CAST(SUM(records) AS STRING)) FROM synctrack.run_outcome_counts GROUP BY _file`))
	}
	want := fmt.Sprint(bqRows(t, w, `SELECT CONCAT(_file, ' ', CAST(COUNT(*) AS STRING)) FROM synctrack.sync_records GROUP BY _file`))
	if got := perFile(); got != want || len(want) < 10 {
		t.Fatalf("after the load: counts per file %s, rows per file %s", got, want)
	}
	fps := fmt.Sprint(bqRows(t, w, `SELECT CONCAT(_file, ' ', outcome, ' ', COALESCE(fingerprint, 'NULL'), ' ', CAST(records AS STRING)) FROM synctrack.run_fingerprint_counts`))
	// The dataset an earlier version made: no counts tables.
	for _, table := range []string{"run_outcome_counts", "run_fingerprint_counts"} {
		if err := w.Client().Dataset("synctrack").Table(table).Delete(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 {
		w = e.open(t)
		if got := perFile(); got != want {
			t.Errorf("open %d: counts per file %s, want %s", i, got, want)
		}
		if got := fmt.Sprint(bqRows(t, w, `SELECT CONCAT(_file, ' ', outcome, ' ', COALESCE(fingerprint, 'NULL'), ' ', CAST(records AS STRING)) FROM synctrack.run_fingerprint_counts`)); got != fps {
			t.Errorf("open %d: fingerprint counts %s, want what the load wrote: %s", i, got, fps)
		}
	}
}
