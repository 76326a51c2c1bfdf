package main

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// memoryLimitHelp is the --memory-limit flag's help.
const memoryLimitHelp = "soft limit of the Go heap (e.g. 256MiB; off: none); " +
	"auto: 60% of the container's memory limit (cgroup memory.max) when there is one, else none, " +
	"or GOMEMLIMIT when set. DuckDB's own memory is bounded by memory_limit= in the warehouse URL"

// applyMemoryLimit sets the Go runtime's soft memory limit from the flag and
// returns the limit in bytes (0: none). cgroupMax is the container's limit
// (0: none). The Go heap of an idle cycle is small (about 60 MiB at 100,000
// objects), so the limit only matters for large loads and very large buckets,
// where it makes the collector work harder instead of the container being killed.
func applyMemoryLimit(flag, gomemlimit string, cgroupMax int64) (int64, error) {
	var limit int64
	switch s := strings.TrimSpace(flag); s {
	case "", "auto":
		if gomemlimit != "" {
			return debug.SetMemoryLimit(-1), nil // the runtime has read GOMEMLIMIT
		}
		if cgroupMax > 0 {
			limit = cgroupMax / 10 * 6
		}
	case "off", "0":
	default:
		n, err := parseMemoryLimit(s)
		if err != nil {
			return 0, err
		}
		limit = n
	}
	if limit > 0 {
		debug.SetMemoryLimit(limit)
	}
	return limit, nil
}

// parseMemoryLimit checks --memory-limit: a size, auto or off (0: no limit
// but the default's, "" and auto and off).
func parseMemoryLimit(flag string) (int64, error) {
	switch s := strings.TrimSpace(flag); s {
	case "", "auto", "off", "0":
		return 0, nil
	default:
		n, err := parseBytes(s)
		if err != nil || n <= 0 {
			return 0, usageError("--memory-limit %q: want a size such as 256MiB or 1GiB, auto or off", s)
		}
		return n, nil
	}
}

// parseBytes reads 256MiB, 1GiB, 512MB or a plain byte count.
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f*float64(mult) > math.MaxInt64/2 {
		return 0, fmt.Errorf("not a size")
	}
	return int64(f * float64(mult)), nil
}

// cgroupMemoryMax is the cgroup v2 memory limit of this process, or 0.
func cgroupMemoryMax() int64 {
	raw, err := os.ReadFile("/sys/fs/cgroup/memory.max")
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil {
		return 0 // "max": no limit
	}
	return n
}

// daemonGCPercent is the daemon's GOGC unless the environment sets one: the
// collector runs when the heap has grown by half, not doubled. Over 100,000
// objects this lowers the peak RSS by ~17 MiB for ~7% more CPU per idle cycle.
const daemonGCPercent = 50

// tuneGC applies daemonGCPercent unless GOGC is set.
func tuneGC(gogc string) {
	if gogc == "" {
		debug.SetGCPercent(daemonGCPercent)
	}
}
