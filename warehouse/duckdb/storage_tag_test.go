package duckdb

import "testing"

// DuckDB's storage version tags, as duckdb_databases() gives them.
func TestStorageAtLeast(t *testing.T) {
	for tag, want := range map[string]bool{
		"v1.0.0+": false, "v1.2.0+": false, "v1.3.0+": true, "v1.5.0+": true, "v2.0.0+": true,
		"v1.10.0": true, "": false, "latest": false, "v1": false,
	} {
		if got := storageAtLeast(tag, 1, 3); got != want {
			t.Errorf("storageAtLeast(%q, 1, 3) = %v, want %v", tag, got, want)
		}
	}
}
