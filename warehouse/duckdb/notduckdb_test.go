package duckdb_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// A warehouse path naming a parquet or CSV file is refused as no DuckDB
// database, read-only or not, and the file is left as it was: DuckDB opened
// such a path as an in-memory database over the file, so a load "went
// well" and kept nothing (found by a review).
func TestWarehouseNamingAParquetFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"x.parquet": "PAR1 not really a database PAR1", "x.csv": "a,b\n1,2\n"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, ro := range []bool{false, true} {
			w, err := duckdb.Open(context.Background(), duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "256MB", ReadOnly: ro}, time.Now)
			if err == nil {
				w.Close()
				t.Errorf("%s (read-only %v): opened", name, ro)
				continue
			}
			if reason, _ := warehouse.Explain(err); reason != "not_duckdb" || warehouse.ClassOf(err) != warehouse.Config {
				t.Errorf("%s (read-only %v): %v (%s), want a config error saying it is no DuckDB database", name, ro, err, reason)
			}
		}
		if got, _ := os.ReadFile(path); string(got) != body {
			t.Errorf("%s changed", name)
		}
	}
}
