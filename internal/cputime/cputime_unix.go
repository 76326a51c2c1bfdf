//go:build unix

// Package cputime reads the CPU time this process has used.
package cputime

import (
	"syscall"
	"time"
)

// Process is the CPU time the process has used, user and system, all its
// threads (DuckDB's included). Other processes on a busy machine stretch it
// less than they stretch elapsed time.
func Process() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
