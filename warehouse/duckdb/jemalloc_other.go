//go:build !linux

package duckdb

import (
	"errors"
	"time"
)

// keepFreedMemory: only DuckDB's Linux builds link jemalloc (see
// jemalloc_linux.go); elsewhere freed memory goes back as the system's
// allocator decides.
func keepFreedMemory(time.Duration) error {
	return errors.New("DuckDB links jemalloc only on Linux")
}

func freedMemoryKept() (time.Duration, bool) { return 0, false }

func ownDecay() error { return nil }

func giveBackFreedMemory() error { return nil }

func freedPagesKept() (int, bool) { return 0, false }
