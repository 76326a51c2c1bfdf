package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
)

// bench on the embedded engine loads with and without the counts, each
// repeat, and prints what they cost; a shape it does not know is a usage
// error naming the ones it does.
func TestBenchCountsCost(t *testing.T) {
	benchShapes["tiny"] = [5]int{1, 1, 2, 2, 40}
	defer delete(benchShapes, "tiny")
	code, out := runCLI(t, "bench", "--shape", "tiny", "--repeat", "2", "--dir", t.TempDir())
	if code != 0 {
		t.Fatalf("bench: exit %d\n%s", code, out)
	}
	for _, want := range []string{"bare load (ceiling)", "synctrack load ", "synctrack load without the counts"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	// Both loads stored the bucket's 160 rows.
	if n := len(regexp.MustCompile(`(?m)^  synctrack load[a-z ]*\s+160 rows`).FindAllString(out, -1)); n != 2 {
		t.Errorf("%d synctrack loads of 160 rows, want 2 (with and without the counts)\n%s", n, out)
	}
	m := regexp.MustCompile(`the counts: synctrack / without them: [0-9.]+x time \(best of each\); per repeat median [0-9.]+x \(([0-9.]+), ([0-9.]+)\)`).FindStringSubmatch(out)
	if m == nil {
		t.Errorf("no counts' cost with a ratio per repeat in\n%s", out)
	}
	// The same in CPU time, each ratio above zero: the phases' CPU was read.
	m = regexp.MustCompile(`the counts in CPU time: per repeat median [0-9.]+x \(([0-9.]+), ([0-9.]+)\)`).FindStringSubmatch(out)
	if m == nil || m[1] == "0.000" || m[2] == "0.000" {
		t.Errorf("no counts' CPU cost with a ratio per repeat in\n%s", out)
	}
	code, stderr := func() (int, string) { c, _, e := runCLIAll(t, "bench", "--shape", "huge"); return c, e }()
	if code != 2 || !strings.Contains(stderr, "large, medium or small") {
		t.Errorf("--shape huge: exit %d, %q", code, stderr)
	}
}

// bench refuses a repeat count of nothing (it printed NaN rows/s and
// exited 0), a --dir it cannot make (the error named generate's --out) and
// a warehouse it cannot use before it generates the bucket (seconds, for
// the shapes it has), exit 2 naming what is wrong.
func TestBenchRefusesBeforeGenerating(t *testing.T) {
	benchShapes["tiny"] = [5]int{1, 1, 2, 2, 40}
	defer delete(benchShapes, "tiny")
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--repeat", "0"}, "bench: --repeat 0: want 1 or more"},
		{[]string{"--repeat", "-2"}, "bench: --repeat -2: want 1 or more"},
		{[]string{"--dir", filepath.Join(file, "work")}, "bench: --dir " + filepath.Join(file, "work")},
		{[]string{"--warehouse", "oracle://x"}, "no engine for oracle://"},
		{[]string{"--warehouse", "duckdb://" + filepath.Join(dir, "w.duckdb")}, "bench cannot empty a duckdb warehouse"},
	} {
		work := filepath.Join(dir, strconv.Itoa(i)) // a case's own --dir comes after, and wins
		code, _, errs := runCLIAll(t, append([]string{"bench", "--shape", "tiny", "--dir", work}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.says) {
			t.Errorf("bench %s: exit %d, %q; want 2 saying %q", strings.Join(c.args, " "), code, errs, c.says)
		}
		if _, err := os.Stat(filepath.Join(work, "bucket")); err == nil {
			t.Errorf("bench %s generated the bucket", strings.Join(c.args, " "))
		}
	}
}

// bench's load without the counts stores the rows and no counts; its load
// with them stores both: the ratio compares what it says it compares, on
// each engine that can skip them.
func TestBenchLoadsWithoutCounts(t *testing.T) {
	cmd := newBenchCommand()
	cmd.SetContext(context.Background())
	o, err := benchOptions("large")
	if err != nil {
		t.Fatal(err)
	}
	o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 2, 40
	dir := t.TempDir()
	_, bucketDir, err := generateInto(cmd, filepath.Join(dir, "bucket"), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, engine := range []string{"duckdb", "postgres"} {
		for _, c := range []struct {
			name string
			load func(*cobra.Command, warehouse.Warehouse, string) (int64, error)
			none bool
		}{{"without", noCountsLoad, true}, {"with", synctrackLoad, false}} {
			url := engines.Embedded().Local(filepath.Join(dir, c.name+".db"))
			if engine == "postgres" {
				url = pgtest.URL(t)
			}
			_, w, err := engines.Open(context.Background(), url, warehouse.Options{})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := c.load(cmd, w, bucketDir)
			if err != nil {
				t.Fatalf("%s, %s: %v", engine, c.name, err)
			}
			q := w.(warehouse.Querier)
			count := func(table string) int64 {
				rs, err := q.Query(context.Background(), "SELECT count(*) FROM "+q.Dialect().Table(q.Schema(), table), nil)
				if err != nil {
					t.Fatal(err)
				}
				defer rs.Close()
				var n any
				if !rs.Next() || rs.Scan(&n) != nil {
					t.Fatalf("count %s: %v", table, rs.Err())
				}
				return reflect.ValueOf(n).Convert(reflect.TypeFor[int64]()).Int()
			}
			stored := count("sync_records")
			counts := count(dialects.OutcomeCountsTable) + count(dialects.FingerprintCountsTable)
			w.Close()
			if rows != 160 || stored != rows {
				t.Errorf("%s, %s the counts: loaded %d rows, stored %d, want 160", engine, c.name, rows, stored)
			}
			if (counts == 0) != c.none {
				t.Errorf("%s, %s the counts: %d counts rows", engine, c.name, counts)
			}
		}
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{[]float64{1.1}, 1.1}, {[]float64{1, 5, 9}, 5}, {[]float64{1, 2, 3, 4}, 2.5}} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// medianInterval gives the order statistics the usual tables give for a
// 95% interval of a median (n 6: the extremes; 20: the 6th and 15th; 30:
// the 10th and 21st), with their exact binomial coverage, and none under
// six values.
func TestMedianInterval(t *testing.T) {
	ranks := func(n int) []float64 { // the k-th value is k
		s := make([]float64, n)
		for i := range s {
			s[i] = float64(i + 1)
		}
		return s
	}
	for _, c := range []struct {
		n      int
		lo, hi float64
		cover  float64
	}{{6, 1, 6, 1 - 2.0/64}, {8, 1, 8, 1 - 2.0/256}, {20, 6, 15, 1 - 2*21700.0/1048576}, {30, 10, 21, 0.957}} {
		lo, hi, cover, ok := medianInterval(ranks(c.n))
		if !ok || lo != c.lo || hi != c.hi || cover < 0.95 || cover-c.cover > 0.001 || c.cover-cover > 0.001 {
			t.Errorf("n %d: %v-%v at %.4f (ok %v), want %v-%v at %.4f", c.n, lo, hi, cover, ok, c.lo, c.hi, c.cover)
		}
	}
	for _, n := range []int{1, 2, 5} {
		if _, _, _, ok := medianInterval(ranks(n)); ok {
			t.Errorf("an interval for %d values", n)
		}
	}
}

// slowClose is a warehouse whose Close takes a while, as the embedded
// engine's does when it writes its log into the file.
type slowClose struct {
	warehouse.Warehouse
	closes int
}

func (s *slowClose) Close() error {
	time.Sleep(50 * time.Millisecond)
	s.closes++
	return nil
}

// On a target whose close is part of the load, measure's time includes the
// close, and the warehouse is closed once, before clear runs.
func TestBenchMeasureTimesClose(t *testing.T) {
	w := &slowClose{}
	var closedAtClear int
	target := benchTarget{name: "test", closeTimed: true,
		open: func(context.Context, string) (warehouse.Warehouse, error) { return w, nil },
		clear: func(context.Context, warehouse.Warehouse, string) error {
			closedAtClear = w.closes
			return nil
		}}
	r, err := measure(context.Background(), target, "p", func(warehouse.Warehouse) (int64, error) { return 7, nil })
	if err != nil {
		t.Fatal(err)
	}
	if r.rows != 7 || r.elapsed < 50*time.Millisecond {
		t.Errorf("measured %d rows in %s, want 7 rows and the 50ms close inside the time", r.rows, r.elapsed)
	}
	if w.closes != 1 || closedAtClear != 1 {
		t.Errorf("closed %d times, %d before clear; want once, before clear", w.closes, closedAtClear)
	}
}

// On the embedded engine a phase's file is closed inside the phase: what
// the phase wrote is in the file, no log left, when clear runs.
func TestBenchEmbeddedClosesInPhase(t *testing.T) {
	dir := t.TempDir()
	target, err := benchTargetFor(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	clear := target.clear
	var walLeft []string
	target.clear = func(ctx context.Context, w warehouse.Warehouse, phase string) error {
		walLeft, _ = filepath.Glob(filepath.Join(dir, "*.wal"))
		return clear(ctx, w, phase)
	}
	_, err = measure(context.Background(), target, "p", func(w warehouse.Warehouse) (int64, error) {
		db, ok := w.(interface{ DB() *sql.DB })
		if !ok {
			return 0, fmt.Errorf("the embedded warehouse is a %T", w)
		}
		_, err := db.DB().Exec("CREATE TABLE written AS SELECT 1 AS x")
		return 1, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(walLeft) != 0 {
		t.Errorf("the phase's file was not closed before clear: %v", walLeft)
	}
}
