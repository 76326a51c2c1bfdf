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

// A database file cut short (a copy interrupted) and a folder named as the
// file will not open by trying again: config errors that say so, where
// they were exit 3 ("try again") with DuckDB's words alone.
func TestCutShortOrFolderIsConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.duckdb")
	w, err := Open(context.Background(), Config{Path: path, Schema: "synctrack", MemoryLimit: DefaultMemoryLimit}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 5000); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder.duckdb")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{path: "corrupt_warehouse", folder: "not_a_file"} {
		for _, ro := range []bool{false, true} {
			_, err := Open(context.Background(), Config{Path: p, Schema: "synctrack", MemoryLimit: DefaultMemoryLimit, ReadOnly: ro}, nil)
			reason, hint := warehouse.Explain(err)
			if warehouse.ClassOf(err) != warehouse.Config || reason != want || hint == "" {
				t.Errorf("%s (read-only %v): %v (class %v, reason %q), want config, %s", filepath.Base(p), ro, err, warehouse.ClassOf(err), reason, want)
			}
		}
	}
	rs := NewReaders(Config{Path: folder, Schema: "synctrack", MemoryLimit: DefaultMemoryLimit}, nil)
	defer rs.Close()
	if _, _, err := rs.Open(context.Background()); warehouse.ClassOf(err) != warehouse.Config {
		t.Errorf("the pages on a folder: %v (class %v), want config", err, warehouse.ClassOf(err))
	}
	// A staged parquet file cut short, which DuckDB words the same way, is
	// still the file's.
	err = classify(errors.New(`IO Error: Could not read enough bytes from file "/tmp/stage/records.3.parquet": attempted to read 8 bytes from location 100`),
		[]warehouse.File{{Object: warehouse.Object{Key: "k/records.3.parquet"}, Local: "/tmp/stage/records.3.parquet"}})
	if warehouse.ClassOf(err) == warehouse.Config {
		t.Errorf("a staged file cut short: %v (class %v), not the warehouse's", err, warehouse.ClassOf(err))
	}
}
