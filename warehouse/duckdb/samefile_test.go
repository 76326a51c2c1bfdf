package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// A reader opening the file this process holds for writing (the daemon's
// web pages during its load) is told the file is busy: transient, not a
// configuration error that would never pass.
func TestReaderWhileThisProcessWritesIsTransient(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := duckdb.Open(ctx, duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "256MB"}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r, err := duckdb.Open(ctx, duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "256MB", ReadOnly: true}, time.Now)
	if err == nil {
		r.Close()
		t.Fatal("DuckDB opened a second, read-only instance of a file this process writes: the pages' 503 rule is no longer needed, remove it")
	}
	if c := warehouse.ClassOf(err); c != warehouse.Transient {
		t.Errorf("class %v, want transient: %v", c, err)
	}
}
