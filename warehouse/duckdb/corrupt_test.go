package duckdb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
)

// A damaged database file (a block whose checksum fails) is no object's
// fault: the load stops as a config error, blaming none. Its "Corrupt
// database file" matched the data rule "corrupt": at open it exited 1 with
// the hint that an object was recorded as failed, and met in a load
// ("delete old runs: ...") it failed every object of the step, load after
// load, until they were quarantined.
func TestCorruptDatabaseFileBlamesNone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := Open(context.Background(), Config{Path: path, Schema: "synctrack", MemoryLimit: DefaultMemoryLimit}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Inside the first block after the headers, which an open reads.
	if _, err := f.WriteAt([]byte("ZZZZ"), 20000); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Open(context.Background(), Config{Path: path, Schema: "synctrack", MemoryLimit: DefaultMemoryLimit}, nil)
	if reason, _ := warehouse.Explain(err); warehouse.ClassOf(err) != warehouse.Config || reason != "corrupt_warehouse" {
		t.Fatalf("open of a damaged file: %v (class %v, reason %q), want config, corrupt_warehouse", err, warehouse.ClassOf(err), reason)
	}
	midLoad := errors.New(`delete old runs: IO Error: Corrupt database file: computed checksum 11738688120727800487 does not match stored checksum 7224384472082401 in block at location 2883584`)
	err = classify(midLoad, []warehouse.File{{Local: "/tmp/b/x.parquet"}})
	var e *warehouse.Error
	if !errors.As(err, &e) || e.Class != warehouse.Config || len(e.Keys) > 0 {
		t.Fatalf("in a load: %v (class %v), want config, no object named", err, warehouse.ClassOf(err))
	}
}
