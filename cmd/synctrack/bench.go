package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
)

func newBenchCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "bench",
		Short: "Measure load speed against DuckDB's own read_parquet on the same files",
		Long: `Generates a bucket, then loads it twice in this process into fresh DuckDB files:
once with DuckDB's own CREATE TABLE AS SELECT * FROM read_parquet(<the same files>)
(the ceiling), once with synctrack load. Prints rows/s, the ratio, and peak RSS of
each phase. Figures go in BENCHMARKS.md.

  synctrack bench --shape large   # 40 files, 2M rows
  synctrack bench --shape small   # 5,000 files of 100 rows`,
		Args: cobra.NoArgs,
		RunE: runBench,
	}
	c.Flags().String("shape", "large", "large (40 files x 50,000 rows) or small (5,000 files x 100 rows)")
	c.Flags().String("dir", "", "work dir (default: a temp dir, removed after)")
	c.Flags().Int("repeat", 3, "runs of each phase; the best is reported")
	return c
}

func benchOptions(shape string) (gen.Options, error) {
	o := gen.DefaultOptions()
	o.Orgs = 1
	switch shape {
	case "large":
		o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 2, 4, 5, 50_000
	case "small":
		o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 5, 10, 100, 100
	default:
		return o, usageError("--shape %q: want large or small", shape)
	}
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
	dir, _ := cmd.Flags().GetString("dir")
	if dir == "" {
		if dir, err = os.MkdirTemp("", "synctrack-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	bucketDir := filepath.Join(dir, "bucket")
	start := time.Now()
	m, bucketDir, err := generateInto(cmd, bucketDir, o)
	if err != nil {
		return err
	}
	files, _ := filepath.Glob(filepath.Join(bucketDir, "sync_tracking_datasets", "*", "*", "*", "*.parquet"))
	fmt.Fprintf(out, "generated %d records files, %d rows in %s\n", len(files), m.Rows, time.Since(start).Round(time.Millisecond))

	var best [2]benchResult
	for i := range repeat {
		for phase, f := range []func(string) (int64, error){
			func(db string) (int64, error) { return ceilingLoad(ctx, db, files) },
			func(db string) (int64, error) { return synctrackLoad(cmd, db, bucketDir) },
		} {
			r, err := measure(filepath.Join(dir, fmt.Sprintf("p%d-%d.duckdb", phase, i)), f)
			if err != nil {
				return err
			}
			if best[phase].rows == 0 || r.elapsed < best[phase].elapsed {
				best[phase].rows, best[phase].elapsed = r.rows, r.elapsed
			}
			best[phase].rss = max(best[phase].rss, r.rss)
		}
	}
	printBench(out, shape, len(files), best)
	return nil
}

type benchResult struct {
	rows    int64
	elapsed time.Duration
	rss     int64 // peak resident set during the phase, bytes
}

// measure runs one phase against a fresh database file and records its time and
// the process's peak RSS while it ran.
func measure(db string, f func(string) (int64, error)) (benchResult, error) {
	resetPeakRSS()
	start := time.Now()
	rows, err := f(db)
	r := benchResult{rows: rows, elapsed: time.Since(start), rss: peakRSS()}
	os.Remove(db)
	os.Remove(db + ".wal")
	return r, err
}

// openBench opens a fresh database file of the embedded engine, through
// the registry.
func openBench(ctx context.Context, path string) (warehouse.Warehouse, error) {
	_, w, err := engines.Open(ctx, engines.Embedded().Local(path), warehouse.Options{})
	return w, err
}

func ceilingLoad(ctx context.Context, path string, files []string) (int64, error) {
	w, err := openBench(ctx, path)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	b, ok := w.(warehouse.Baseline)
	if !ok {
		return 0, fmt.Errorf("the %s engine has no baseline load", engines.Embedded().Name)
	}
	return b.BaselineLoad(ctx, files)
}

func synctrackLoad(cmd *cobra.Command, path, bucketDir string) (int64, error) {
	ctx := cmd.Context()
	b, root, err := openBucket(ctx, "file://"+filepath.ToSlash(bucketDir))
	if err != nil {
		return 0, err
	}
	defer b.Close()
	w, err := openBench(ctx, path)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	rep, err := loader.New(b, root, w, loader.Options{}).Load(ctx)
	if err != nil {
		return 0, err
	}
	if len(rep.Failed) > 0 {
		return 0, fmt.Errorf("bench load: %d failures, first %s: %v", len(rep.Failed), rep.Failed[0].Key, rep.Failed[0].Err)
	}
	return rep.Rows, nil
}

func printBench(w io.Writer, shape string, files int, r [2]benchResult) {
	rate := func(x benchResult) float64 { return float64(x.rows) / x.elapsed.Seconds() }
	fmt.Fprintf(w, "shape %s: %d files\n", shape, files)
	fmt.Fprintf(w, "  %-34s %9d rows %9s %12.0f rows/s  peak RSS %4d MiB\n", "duckdb read_parquet CTAS (ceiling)",
		r[0].rows, r[0].elapsed.Round(time.Millisecond), rate(r[0]), r[0].rss>>20)
	fmt.Fprintf(w, "  %-34s %9d rows %9s %12.0f rows/s  peak RSS %4d MiB\n", "synctrack load",
		r[1].rows, r[1].elapsed.Round(time.Millisecond), rate(r[1]), r[1].rss>>20)
	fmt.Fprintf(w, "  synctrack / ceiling: %.2fx rows/s, %.2fx time\n", rate(r[1])/rate(r[0]),
		r[1].elapsed.Seconds()/r[0].elapsed.Seconds())
}

// resetPeakRSS clears the kernel's high-water mark of this process (Linux).
func resetPeakRSS() {
	debug.FreeOSMemory() // what earlier phases left on the Go heap is not this phase's
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS reads VmHWM from /proc/self/status (Linux); 0 elsewhere.
func peakRSS() int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}
