package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/warehouse"
)

func newBenchCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "bench",
		Short: "Measure load speed against the engine's own bare load of the same files",
		Long: `Generates a bucket, then loads it in this process, each time into a fresh warehouse:
once with the engine's own bare load of the same files (the ceiling: DuckDB's
CREATE TABLE AS SELECT * FROM read_parquet(<the files>), PostgreSQL's COPY of their
rows), once with synctrack load. An engine whose bare load can also store the
payload as its JSON type, as the contract stores it (PostgreSQL: jsonb), gets a
second ceiling with that. An engine that can load without the per-run counts
(DuckDB, PostgreSQL) loads a third time without them, and bench prints what they cost: the
load with them over the load without, per repeat (the two take turns going
first: give an even --repeat), in elapsed and in this process's CPU time (a
server engine's own CPU is not in it): the
median, and from six repeats the range that holds it at 95% or more (on a noisy
machine a repeat moves by 10%: give 20-30 to bound a few percent). Prints rows/s,
the ratio to each ceiling, and peak RSS of this process in each phase. Figures
go in BENCHMARKS.md.

Without --warehouse, the embedded engine, in fresh files under --dir; a phase's
time runs from opening its file to closing it (the close writes what DuckDB's log
still holds into the file, as a synctrack load does before it exits). With it, an
engine on a server (one that can drop its schema): give it a schema of its own,
which each phase starts empty and which is dropped after it.

  synctrack bench --shape large   # 40 files of 50,000 rows: 2M rows
  synctrack bench --shape medium  # 200 files of 10,000 rows (the vendor's smallest batch): 2M rows
  synctrack bench --shape small   # 5,000 files of 100 rows: many objects
  synctrack bench --shape large --warehouse 'postgres://USER@HOST/DB?schema=synctrack_bench'`,
		Args: noArgs,
		RunE: runBench,
	}
	c.Flags().String("shape", "large", "large (40 files x 50,000 rows), medium (200 x 10,000) or small (5,000 x 100)")
	c.Flags().String("dir", "", "work dir (default: a temp dir, removed after)")
	c.Flags().Int("repeat", 3, "runs of each phase; the best is reported (an even count has the loads with and without the counts go first as often)")
	c.Flags().String("warehouse", "", "a server engine's URL, whose schema bench empties and drops (default: the embedded engine)")
	return c
}

// benchShapes are bench's buckets: orgs, syncs, runs, files per run, rows
// per file.
var benchShapes = map[string][5]int{
	"large":  {1, 2, 4, 5, 50_000},
	"medium": {1, 2, 4, 25, 10_000},
	"small":  {1, 5, 10, 100, 100},
}

func benchOptions(shape string) (gen.Options, error) {
	o := gen.DefaultOptions()
	s, ok := benchShapes[shape]
	if !ok {
		return o, usageError("--shape %q: want large, medium or small", shape)
	}
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = s[0], s[1], s[2], s[3], s[4]
	return o, nil
}

func runBench(cmd *cobra.Command, _ []string) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	shape, _ := cmd.Flags().GetString("shape")
	repeat, _ := cmd.Flags().GetInt("repeat")
	o, err := benchOptions(shape)
	if err != nil {
		return err
	}
	if err := atLeastOne(cmd, "repeat"); err != nil {
		return err // no repeat measures nothing: NaN rows/s
	}
	dir, _ := cmd.Flags().GetString("dir")
	if dir == "" {
		if dir, err = os.MkdirTemp("", "synctrack-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageError("bench: --dir %s: %v", dir, err) // a file there, or no permission
	}
	// A warehouse bench cannot use is refused before the bucket is
	// generated, which takes seconds.
	raw, _ := cmd.Flags().GetString("warehouse")
	target, err := benchTargetFor(ctx, raw, dir)
	if err != nil {
		return err
	}
	bucketDir := filepath.Join(dir, "bucket")
	start := time.Now()
	m, bucketDir, err := generateInto(cmd, bucketDir, o)
	if err != nil {
		return err
	}
	files, _ := filepath.Glob(filepath.Join(bucketDir, "sync_tracking_datasets", "*", "*", "*", "*.parquet"))
	fmt.Fprintf(out, "generated %d records files, %d rows in %s\n", len(files), m.Rows, time.Since(start).Round(time.Millisecond))

	var best [4]benchResult         // ceiling, synctrack, JSON ceiling, synctrack without the counts
	var ratios, cpuRatios []float64 // per repeat: synctrack / synctrack without the counts, elapsed and CPU
	phases := []func(warehouse.Warehouse) (int64, error){
		func(w warehouse.Warehouse) (int64, error) { return ceilingLoad(ctx, target.name, w, files) },
		func(w warehouse.Warehouse) (int64, error) { return synctrackLoad(cmd, w, bucketDir) },
		func(w warehouse.Warehouse) (int64, error) { return jsonCeilingLoad(ctx, w, files) },
		func(w warehouse.Warehouse) (int64, error) { return noCountsLoad(cmd, w, bucketDir) },
	}
	skips := true // the engine can load without the counts, until it says not
	for i := range repeat {
		// The loads with and without the counts take turns going first, so
		// neither always has the files' pages fresher in the cache.
		order := []int{0, 1, 2, 3}
		switch {
		case !skips:
			order = []int{0, 1, 2}
		case i%2 == 1:
			order = []int{0, 3, 2, 1}
		}
		var took, cpu [4]time.Duration
		for _, phase := range order {
			r, err := measure(ctx, target, fmt.Sprintf("p%d-%d", phase, i), phases[phase])
			if errors.Is(err, errNoCountsSkip) {
				skips = false
				continue
			}
			if errors.Is(err, errNoJSONCeiling) {
				continue
			}
			if err != nil {
				return err
			}
			took[phase], cpu[phase] = r.elapsed, r.cpu
			if best[phase].rows == 0 || r.elapsed < best[phase].elapsed {
				best[phase].rows, best[phase].elapsed = r.rows, r.elapsed
			}
			best[phase].rss = max(best[phase].rss, r.rss)
		}
		if took[3] > 0 {
			ratios = append(ratios, took[1].Seconds()/took[3].Seconds())
			if cpu[3] > 0 {
				cpuRatios = append(cpuRatios, cpu[1].Seconds()/cpu[3].Seconds())
			}
		}
	}
	printBench(out, target.name, shape, len(files), best)
	printCountsCost(out, best, ratios, cpuRatios)
	return nil
}

type benchResult struct {
	rows    int64
	elapsed time.Duration
	cpu     time.Duration // CPU time of this process during the phase
	rss     int64         // peak resident set during the phase, bytes
}
