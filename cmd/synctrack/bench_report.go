package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

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
