package main

import (
	"regexp"
	"strings"
	"testing"
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
	code, stderr := func() (int, string) { c, _, e := runCLIAll(t, "bench", "--shape", "huge"); return c, e }()
	if code != 2 || !strings.Contains(stderr, "large, medium or small") {
		t.Errorf("--shape huge: exit %d, %q", code, stderr)
	}
}
