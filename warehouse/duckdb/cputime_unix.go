//go:build unix

package duckdb

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, DuckDB's threads
// included: the debug log gives each statement's share of it, which other
// processes on a busy machine stretch less than its elapsed time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
