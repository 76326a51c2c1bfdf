//go:build !unix

package duckdb

import "time"

// processCPU is not measured here: the debug log's cpu is 0.
func processCPU() time.Duration { return 0 }
