// Package memguard turns a test binary that runs away with memory into a
// failure that says where it was: once the process's resident memory
// passes a limit, it prints every goroutine's stack and how much of the
// memory is Go's, then exits. Without it the kernel's OOM killer ends the
// binary with "signal: killed" and nothing to go on (CI saw loader.test
// killed at 24 GB once, not reproduced).
package memguard

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// Watch checks the resident memory every 100 ms from now on, and past
// limit bytes reports and exits with status 3. Where /proc is missing it
// does nothing.
func Watch(limit uint64) {
	if _, ok := rss(); !ok {
		return
	}
	go func() {
		for range time.Tick(100 * time.Millisecond) {
			if n, ok := rss(); ok && n > limit {
				report(os.Stderr, n, limit)
				os.Exit(3)
			}
		}
	}()
}

func report(f *os.File, n, limit uint64) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Fprintf(f, "memguard: resident memory %d MiB passed %d MiB (Go: heap in use %d MiB, from the OS %d MiB; the rest is C's: DuckDB); goroutines:\n",
		n>>20, limit>>20, m.HeapInuse>>20, m.Sys>>20)
	bigAllocations(f, 256<<20)
	pprof.Lookup("goroutine").WriteTo(f, 2)
}

// bigAllocations prints the stacks that have allocated more than min bytes
// of Go's heap since the process began, freed or not, as the memory
// profile sampled them (an allocation that large is always sampled): once
// the binary saw 229 GB of Go heap in use, mostly untouched, and the
// goroutines alone could not say who had asked for it (a listing, long
// returned, whose garbage the collector had not yet reached).
func bigAllocations(f *os.File, min int64) {
	runtime.GC() // the profile counts what the last GC saw
	var rs []runtime.MemProfileRecord
	n, _ := runtime.MemProfile(nil, true)
	for {
		rs = make([]runtime.MemProfileRecord, n+50)
		var ok bool
		if n, ok = runtime.MemProfile(rs, true); ok {
			rs = rs[:n]
			break
		}
	}
	for _, r := range rs {
		if r.AllocBytes < min {
			continue
		}
		fmt.Fprintf(f, "memguard: %d MiB allocated in %d objects (%d MiB still in use) at:\n", r.AllocBytes>>20, r.AllocObjects, r.InUseBytes()>>20)
		frames := runtime.CallersFrames(r.Stack())
		for {
			fr, more := frames.Next()
			fmt.Fprintf(f, "\t%s\n\t\t%s:%d\n", fr.Function, fr.File, fr.Line)
			if !more {
				break
			}
		}
	}
}

// rss is VmRSS of /proc/self/status in bytes.
func rss() (uint64, bool) {
	fh, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
