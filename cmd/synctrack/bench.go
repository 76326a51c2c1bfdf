package main

import (
	"context"
	"errors"
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
		Short: "Measure load speed against the engine's own bare load of the same files",
		Long: `Generates a bucket, then loads it twice in this process into a fresh warehouse:
once with the engine's own bare load of the same files (the ceiling: DuckDB's
CREATE TABLE AS SELECT * FROM read_parquet(<the files>), PostgreSQL's COPY of their
rows), once with synctrack load. An engine whose bare load can also store the
payload as its JSON type, as the contract stores it (PostgreSQL: jsonb), gets a
second ceiling with that. Prints rows/s, the ratio to each ceiling, and peak RSS
of this process in each phase. Figures go in BENCHMARKS.md.

Without --warehouse, the embedded engine, in fresh files under --dir. With it, an
engine on a server (one that can drop its schema): give it a schema of its own,
which each phase starts empty and which is dropped after it.

  synctrack bench --shape large   # 40 files, 2M rows
  synctrack bench --shape small   # 5,000 files of 100 rows
  synctrack bench --shape large --warehouse 'postgres://USER@HOST/DB?schema=synctrack_bench'`,
		Args: cobra.NoArgs,
		RunE: runBench,
	}
	c.Flags().String("shape", "large", "large (40 files x 50,000 rows) or small (5,000 files x 100 rows)")
	c.Flags().String("dir", "", "work dir (default: a temp dir, removed after)")
	c.Flags().Int("repeat", 3, "runs of each phase; the best is reported")
	c.Flags().String("warehouse", "", "a server engine's URL, whose schema bench empties and drops (default: the embedded engine)")
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

	raw, _ := cmd.Flags().GetString("warehouse")
	target, err := benchTargetFor(ctx, raw, dir)
	if err != nil {
		return err
	}
	var best [3]benchResult // ceiling, synctrack, JSON ceiling
	for i := range repeat {
		for phase, f := range []func(warehouse.Warehouse) (int64, error){
			func(w warehouse.Warehouse) (int64, error) { return ceilingLoad(ctx, target.name, w, files) },
			func(w warehouse.Warehouse) (int64, error) { return synctrackLoad(cmd, w, bucketDir) },
			func(w warehouse.Warehouse) (int64, error) { return jsonCeilingLoad(ctx, w, files) },
		} {
			r, err := measure(ctx, target, fmt.Sprintf("p%d-%d", phase, i), f)
			if errors.Is(err, errNoJSONCeiling) {
				continue
			}
			if err != nil {
				return err
			}
			if best[phase].rows == 0 || r.elapsed < best[phase].elapsed {
				best[phase].rows, best[phase].elapsed = r.rows, r.elapsed
			}
			best[phase].rss = max(best[phase].rss, r.rss)
		}
	}
	printBench(out, target.name, shape, len(files), best)
	return nil
}

type benchResult struct {
	rows    int64
	elapsed time.Duration
	rss     int64 // peak resident set during the phase, bytes
}

// benchTarget opens a fresh, empty warehouse for each phase and removes it
// after.
type benchTarget struct {
	name  string
	open  func(ctx context.Context, phase string) (warehouse.Warehouse, error)
	clear func(ctx context.Context, w warehouse.Warehouse, phase string) error
}

// benchTargetFor is the embedded engine in files under dir when raw is
// empty, else raw's engine, which must be able to drop its schema; that
// schema must hold no ledger yet (bench drops it: it must be bench's own).
func benchTargetFor(ctx context.Context, raw, dir string) (benchTarget, error) {
	if raw == "" {
		e := engines.Embedded()
		path := func(phase string) string { return filepath.Join(dir, phase+".db") }
		return benchTarget{name: e.Name,
			open: func(ctx context.Context, phase string) (warehouse.Warehouse, error) {
				_, w, err := engines.Open(ctx, e.Local(path(phase)), warehouse.Options{})
				return w, err
			},
			clear: func(_ context.Context, w warehouse.Warehouse, phase string) error {
				w.Close()
				os.Remove(path(phase))
				os.Remove(path(phase) + ".wal")
				return nil
			}}, nil
	}
	e, w, err := engines.Open(ctx, raw, warehouse.Options{})
	if err != nil {
		return benchTarget{}, err
	}
	defer w.Close()
	if _, ok := w.(warehouse.Dropper); !ok {
		return benchTarget{}, usageError("--warehouse: bench cannot empty a %s warehouse; the engines it can use are %s",
			e.Name, strings.Join(engines.With[warehouse.Dropper](), ", "))
	}
	if l, err := w.Ledger(ctx); err != nil || len(l) > 0 {
		return benchTarget{}, usageError("--warehouse: its schema holds a ledger (%d rows, %v): bench drops its schema "+
			"after each phase, so give it one of its own", len(l), err)
	}
	return benchTarget{name: e.Name,
		open: func(ctx context.Context, _ string) (warehouse.Warehouse, error) {
			_, w, err := engines.Open(ctx, raw, warehouse.Options{})
			return w, err
		},
		clear: func(ctx context.Context, w warehouse.Warehouse, _ string) error {
			defer w.Close()
			return w.(warehouse.Dropper).DropSchema(ctx)
		}}, nil
}

// measure runs one phase against a fresh warehouse and records its time and
// the process's peak RSS while it ran (opening the warehouse included).
func measure(ctx context.Context, t benchTarget, phase string, f func(warehouse.Warehouse) (int64, error)) (benchResult, error) {
	resetPeakRSS()
	start := time.Now()
	w, err := t.open(ctx, phase)
	if err != nil {
		return benchResult{}, err
	}
	rows, err := f(w)
	r := benchResult{rows: rows, elapsed: time.Since(start), rss: peakRSS()}
	if cerr := t.clear(ctx, w, phase); err == nil {
		err = cerr
	}
	return r, err
}

func ceilingLoad(ctx context.Context, engine string, w warehouse.Warehouse, files []string) (int64, error) {
	b, ok := w.(warehouse.Baseline)
	if !ok {
		return 0, fmt.Errorf("the %s engine has no baseline load", engine)
	}
	return b.BaselineLoad(ctx, files)
}

var errNoJSONCeiling = errors.New("no JSON ceiling")

// jsonCeilingLoad is the engine's bare load with the payload stored as its
// JSON type (warehouse.JSONBaseline), errNoJSONCeiling for an engine
// without one.
func jsonCeilingLoad(ctx context.Context, w warehouse.Warehouse, files []string) (int64, error) {
	b, ok := w.(warehouse.JSONBaseline)
	if !ok {
		return 0, errNoJSONCeiling
	}
	return b.JSONBaselineLoad(ctx, files)
}

func synctrackLoad(cmd *cobra.Command, w warehouse.Warehouse, bucketDir string) (int64, error) {
	ctx := cmd.Context()
	b, root, err := openBucket(ctx, "file://"+filepath.ToSlash(bucketDir))
	if err != nil {
		return 0, err
	}
	defer b.Close()
	rep, err := loader.New(b, root, w, loader.Options{}).Load(ctx)
	if err != nil {
		return 0, err
	}
	if len(rep.Failed) > 0 {
		return 0, fmt.Errorf("bench load: %d failures, first %s: %v", len(rep.Failed), rep.Failed[0].Key, rep.Failed[0].Err)
	}
	return rep.Rows, nil
}

func printBench(w io.Writer, engine, shape string, files int, r [3]benchResult) {
	rate := func(x benchResult) float64 { return float64(x.rows) / x.elapsed.Seconds() }
	line := func(name string, x benchResult) {
		fmt.Fprintf(w, "  %-34s %9d rows %9s %12.0f rows/s  peak RSS %4d MiB\n", name,
			x.rows, x.elapsed.Round(time.Millisecond), rate(x), x.rss>>20)
	}
	ratio := func(name string, c benchResult) {
		fmt.Fprintf(w, "  synctrack / %s: %.2fx rows/s, %.2fx time\n", name, rate(r[1])/rate(c),
			r[1].elapsed.Seconds()/c.elapsed.Seconds())
	}
	fmt.Fprintf(w, "shape %s: %d files, %s\n", shape, files, engine)
	line(engine+" bare load (ceiling)", r[0])
	if r[2].rows > 0 {
		line(engine+" bare load, JSON payload", r[2])
	}
	line("synctrack load", r[1])
	ratio("ceiling", r[0])
	if r[2].rows > 0 {
		ratio("JSON-payload ceiling", r[2])
	}
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
