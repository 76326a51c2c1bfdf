package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(math.MaxInt64)
	for _, c := range []struct {
		flag, env string
		cgroup    int64
		want      int64
	}{
		{"auto", "", 0, 0},
		{"auto", "", 1000 << 20, 600 << 20},
		{"", "", 1 << 30, (1 << 30) / 10 * 6},
		{"off", "", 1 << 30, 0},
		{"256MiB", "", 0, 256 << 20},
		{"1GiB", "", 1 << 20, 1 << 30},
		{"300MB", "", 0, 300e6},
		{"123", "", 0, 123},
	} {
		debug.SetMemoryLimit(math.MaxInt64)
		got, err := applyMemoryLimit(c.flag, c.env, c.cgroup)
		if err != nil || got != c.want {
			t.Errorf("%q, cgroup %d: %d, %v; want %d", c.flag, c.cgroup, got, err, c.want)
		}
		if c.want > 0 && debug.SetMemoryLimit(-1) != c.want {
			t.Errorf("%q: runtime limit %d, want %d", c.flag, debug.SetMemoryLimit(-1), c.want)
		}
	}
	for _, bad := range []string{"lots", "-5MiB", "0.5XB"} {
		if _, err := applyMemoryLimit(bad, "", 0); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
