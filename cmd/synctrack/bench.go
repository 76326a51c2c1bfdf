package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/cputime"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
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

// benchTarget opens a fresh, empty warehouse for each phase and removes it
// after.
type benchTarget struct {
	name string
	open func(ctx context.Context, phase string) (warehouse.Warehouse, error)
	// closeTimed: closing the warehouse is part of the load (the embedded
	// engine's close writes what its log holds into the file, as a user's
	// synctrack load does before it exits), so measure times it and clear
	// gets the warehouse closed.
	closeTimed bool
	clear      func(ctx context.Context, w warehouse.Warehouse, phase string) error
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
			closeTimed: true,
			clear: func(_ context.Context, _ warehouse.Warehouse, phase string) error {
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
// the process's peak RSS while it ran (opening the warehouse included, and
// closing it where closeTimed).
func measure(ctx context.Context, t benchTarget, phase string, f func(warehouse.Warehouse) (int64, error)) (benchResult, error) {
	resetPeakRSS()
	start, cpu := time.Now(), cputime.Process()
	w, err := t.open(ctx, phase)
	if err != nil {
		return benchResult{}, err
	}
	rows, err := f(w)
	if t.closeTimed {
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	r := benchResult{rows: rows, elapsed: time.Since(start), cpu: cputime.Process() - cpu, rss: peakRSS()}
	// A phase the engine cannot run still says why clearing failed.
	if cerr := t.clear(ctx, w, phase); cerr != nil && (err == nil || errors.Is(err, errNoJSONCeiling) || errors.Is(err, errNoCountsSkip)) {
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

var (
	errNoJSONCeiling = errors.New("no JSON ceiling")
	errNoCountsSkip  = errors.New("no load without the counts")
)

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
	b, root, err := openBucket(ctx, "file://"+filepath.ToSlash(bucketDir), nil)
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

// noCountsLoad is synctrackLoad with the per-run counts left out
// (warehouse.CountsSkipper): the before of what writing them costs.
func noCountsLoad(cmd *cobra.Command, w warehouse.Warehouse, bucketDir string) (int64, error) {
	s, ok := w.(warehouse.CountsSkipper)
	if !ok {
		return 0, errNoCountsSkip
	}
	s.SkipCounts()
	return synctrackLoad(cmd, w, bucketDir)
}

// printCountsCost prints what the per-run counts cost the load: the best
// load with them over the best without, then the median of each repeat's
// ratio (the two ran back to back) and the ratios, with the range that holds
// the median at 95% or more when there are enough repeats; then the same for
// the CPU time the two loads used.
func printCountsCost(w io.Writer, r [4]benchResult, ratios, cpuRatios []float64) {
	if r[3].rows == 0 || len(ratios) == 0 {
		return
	}
	fmt.Fprintf(w, "  the counts: synctrack / without them: %.3fx time (best of each); per repeat median %s\n",
		r[1].elapsed.Seconds()/r[3].elapsed.Seconds(), ratioSummary(ratios))
	if len(cpuRatios) > 0 {
		fmt.Fprintf(w, "  the counts in CPU time: per repeat median %s\n", ratioSummary(cpuRatios))
	}
}

// ratioSummary is the median of ratios, the interval that holds the true
// median with 95% or more confidence when there are six or more, and the
// ratios in the order they were measured.
func ratioSummary(ratios []float64) string {
	sorted := slices.Clone(ratios)
	slices.Sort(sorted)
	each := make([]string, len(ratios))
	for i, x := range ratios {
		each[i] = fmt.Sprintf("%.3f", x)
	}
	s := fmt.Sprintf("%.3fx", median(sorted))
	if lo, hi, cover, ok := medianInterval(sorted); ok {
		s += fmt.Sprintf(", %.3f-%.3f holds the median (%.1f%% confidence)", lo, hi, 100*cover)
	}
	return s + " (" + strings.Join(each, ", ") + ")"
}

// median of sorted, a non-empty sorted slice.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// medianInterval is the narrowest interval between two of the sorted
// values, the k-th smallest and the k-th largest, that holds the median of
// what they were drawn from with probability cover >= 95%, assuming nothing
// of its shape (only that the values are drawn independently from one
// distribution): the median is outside only when fewer than k of the n
// values fall on one side of it, which has the probability 2 P(B(n, 1/2) < k).
// Not ok under six values, where even the smallest and largest cover less.
func medianInterval(sorted []float64) (lo, hi, cover float64, ok bool) {
	n := len(sorted)
	tail := 0.0 // P(B(n, 1/2) < k), for k = 1, 2, ...
	p := 1.0    // P(B(n, 1/2) = j), for j = k-1
	for range n {
		p /= 2
	}
	for k := 1; 2*k <= n; k++ {
		tail += p
		if 1-2*tail < 0.95 {
			break
		}
		lo, hi, cover, ok = sorted[k-1], sorted[n-k], 1-2*tail, true
		p = p * float64(n-(k-1)) / float64(k) // P(B = k) from P(B = k-1)
	}
	return lo, hi, cover, ok
}

func printBench(w io.Writer, engine, shape string, files int, r [4]benchResult) {
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
	if r[3].rows > 0 {
		line("synctrack load without the counts", r[3])
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
