package duckdb

import "syscall"

// lowerThreadPriority gives the calling thread (locked to its goroutine)
// the lowest CPU priority, nice 19: it runs when a core is idle. A failure
// leaves it at the process's priority, which is only slower.
func lowerThreadPriority() {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19)
}
