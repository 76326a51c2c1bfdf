package bigquery_test

import (
	"os"
	"testing"
)

// Jobs per cycle for N new records files in one run folder (path b on the
// emulator): the figures in BENCHMARKS.md. 100 files run only with
// SYNCTRACK_BQ_BENCH=1 (30 s: the emulator takes 0.3 s a load job). The
// query jobs do not grow with the file count: the files are parameters.
func TestCycleCounts(t *testing.T) {
	ns := []int{1}
	if os.Getenv("SYNCTRACK_BQ_BENCH") != "" {
		ns = append(ns, 100)
	}
	queries := map[int]int{}
	for _, n := range ns {
		e := newEnv(t)
		o := smallOptions()
		o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, n, 2
		e.generate(t, o)
		w := e.open(t)
		before := w.Stats()
		rep := loadBQ(t, e, w)
		st := w.Stats()
		maxPer := 0
		for table, k := range st.LoadsPer {
			maxPer = max(maxPer, k)
			if table == "sync_records" {
				t.Errorf("%d files: a load job wrote sync_records", n)
			}
		}
		t.Logf("%d records files (%d objects loaded, %d rows): %d query jobs, %d load jobs (at most %d per table), %d bytes read by synctrack",
			n, rep.Files, rep.Rows, st.Queries-before.Queries, st.LoadJobs-before.LoadJobs, maxPer, st.DaemonBytes-before.DaemonBytes)
		queries[n] = st.Queries - before.Queries
		if queries[n] != queries[ns[0]] {
			t.Errorf("%d files: %d query jobs, %d for %d files", n, queries[n], queries[ns[0]], ns[0])
		}
		if maxPer > 1 {
			t.Errorf("%d files: %d load jobs into one table", n, maxPer)
		}
	}
}
