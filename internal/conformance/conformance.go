// Package conformance is the one suite every warehouse engine passes: the
// same generated bucket, the same loads and the same expectations, run
// against DuckDB, Snowflake (at the wire, against sffake), BigQuery (in the
// emulator) and whatever engine comes next. An engine joins with one test
// function that fills a Harness and calls Run.
//
// The expectations have oracles of their own, never the code under test:
// row counts come from the parquet files themselves (parquet-go reads them
// from the bucket), the ledger each step must leave is written out by hand
// in the step, and query answers are compared with DuckDB's after it loads
// the same bucket afresh.
package conformance

import (
	"testing"
	"time"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/warehouse"
)

// Harness is what the suite needs of one engine.
type Harness struct {
	Name string
	// NewBucket returns an empty bucket that the loader lists and, for an
	// engine that reads the bucket itself, the engine reads. Run calls it once.
	NewBucket func(t *testing.T) Bucket
	// Open opens the engine's warehouse, empty, for loads of b. Run calls it
	// once, after the bucket is filled.
	Open func(t *testing.T, b Bucket) warehouse.Warehouse
	// Rows counts the rows of sync_records per _file: all of them at once, so
	// rows from a file that should have none show too. Nil: CountFiles, SQL
	// through wh.Query in the engine's dialect.
	Rows func(t testing.TB, wh warehouse.Warehouse) map[string]int64
	// Views lists the views in the warehouse's schema, in any case. Nil: each
	// expected view is queried through wh.Query, which also counts its rows.
	Views func(t testing.TB, wh warehouse.Warehouse) []string
	// Counts sums run_outcome_counts' records per _file, for an engine
	// whose SQL no engine runs here (NoSQL): what its fake keeps. With SQL,
	// the counts are checked against sync_records row by row instead.
	Counts func(t testing.TB, wh warehouse.Warehouse) map[string]int64
	// NoSQL, when set, says why no engine runs this warehouse's SQL here. The
	// checks that need answers to SQL skip with it; every other check runs.
	NoSQL string
	// Repair, when set, runs before answers are compared with DuckDB's: it
	// undoes an emulator's documented gaps, never the engine's own code.
	Repair func(t *testing.T, wh warehouse.Warehouse, b Bucket)
	// Retention, when set, runs before each retention pass with the files
	// the pass must find expiring: for a fake that keeps no rows' dates
	// (sffake), which it scripts its answers from. Engines that run the
	// SQL leave it nil.
	Retention func(t *testing.T, wh warehouse.Warehouse, expiring []string)
	// Differ names, per analysis template, a column whose values differ from
	// DuckDB's for a documented reason; it is left out of the comparison.
	Differ map[string]string
	// Known lists checks ("Step/Check") that fail on this engine for a bug
	// known and owned elsewhere, with the reason. Such a check still runs
	// and must still fail: once the bug is fixed it fails, asking for its
	// line here to be removed.
	Known map[string]string
}

// Bucket is a bucket as the loader takes it.
type Bucket struct {
	*blob.Bucket
	URL  string
	Root string // the local directory of a file:// bucket, else ""
}

// step is one thing done to the bucket and the warehouse (act, in the
// suite's own test, so filtering subtests with -run never skips it) and the
// checks of what it left, each its own subtest.
type step struct {
	name   string
	act    func(t *testing.T, s *scenario)
	checks []check
}

type check struct {
	name string
	run  func(t testing.TB, s *scenario)
}

// Run runs the suite against one engine. The steps build on each other:
// each acts on what the previous ones left, whatever their checks said.
func Run(t *testing.T, h Harness) {
	start := time.Now()
	s := newScenario(t, h)
	known := map[string]bool{}
	for _, st := range steps(t, s) {
		if st.act != nil {
			st.act(t, s)
		}
		t.Run(st.name, func(t *testing.T) {
			for _, c := range st.checks {
				id := st.name + "/" + c.name
				reason, isKnown := h.Known[id]
				known[id] = true
				t.Run(c.name, func(t *testing.T) {
					if isKnown {
						expectFailure(t, reason, func(r testing.TB) { c.run(r, s) })
						return
					}
					c.run(t, s)
				})
			}
		})
	}
	for id := range h.Known {
		if !known[id] {
			t.Errorf("Known names %q, which is no check of the suite", id)
		}
	}
	t.Logf("conformance suite on %s: %s", h.Name, time.Since(start).Round(10*time.Millisecond))
}
