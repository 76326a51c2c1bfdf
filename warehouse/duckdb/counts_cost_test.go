package duckdb

import (
	"context"
	"database/sql"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/cputime"
	analysis "github.com/synctrack/synctrack/sql"
)

// TestCountsCost times, in one process on a loaded file, the counts as every
// load wrote them before (CountsInserts: two INSERTs over the rows, the
// fingerprint by six regexp_replace) and as DuckDB writes them now
// (writeCounts), alternating, each in a transaction rolled back; it logs the
// process CPU time and elapsed time of each and their ratio. Not a check:
// a measurement for BENCHMARKS.md.
//
//	SYNCTRACK_COUNTS_BENCH_DB=/tmp/t.duckdb go test ./warehouse/duckdb -run TestCountsCost -v
func TestCountsCost(t *testing.T) {
	path := os.Getenv("SYNCTRACK_COUNTS_BENCH_DB")
	if path == "" {
		t.Skip("set SYNCTRACK_COUNTS_BENCH_DB to a DuckDB file synctrack loaded")
	}
	ctx := context.Background()
	w, err := Open(ctx, Config{Path: path, Schema: "synctrack", MemoryLimit: DefaultMemoryLimit}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	measure := func(fn func(tx *sql.Tx) error) (cpu, wall time.Duration) {
		tx, err := w.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		c, s := cputime.Process(), time.Now()
		if err := fn(tx); err != nil {
			t.Fatal(err)
		}
		return cputime.Process() - c, time.Since(s)
	}
	before := func(tx *sql.Tx) error {
		for _, s := range analysis.CountsInserts(w.d, w.schema, "TRUE", "") {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}
	after := func(tx *sql.Tx) error { return w.writeCounts(ctx, tx, "TRUE") }
	var cb, ca, wb, wa []time.Duration
	for range 5 {
		c, d := measure(before)
		cb, wb = append(cb, c), append(wb, d)
		c, d = measure(after)
		ca, wa = append(ca, c), append(wa, d)
	}
	med := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
	t.Logf("CPU: before %v, after %v (median of 5: %v and %v, after/before %.2f)", cb, ca, med(cb), med(ca), float64(med(ca))/float64(med(cb)))
	t.Logf("elapsed: before %v, after %v (median of 5: %v and %v, after/before %.2f)", wb, wa, med(wb), med(wa), float64(med(wa))/float64(med(wb)))
}
