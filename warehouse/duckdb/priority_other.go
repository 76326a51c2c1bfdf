//go:build !linux

package duckdb

// lowerThreadPriority does nothing here: the background grouping runs at
// the process's priority.
func lowerThreadPriority() {}
