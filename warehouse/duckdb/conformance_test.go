package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/synctrack/synctrack/internal/conformance"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// The conformance suite on DuckDB, over a local folder (read in place) and
// over S3 at the wire (staged to local files first): the two ways DuckDB
// gets its files.
func TestConformance(t *testing.T) {
	t.Run("file", func(t *testing.T) {
		conformance.Run(t, harness("duckdb (file://)", func(t *testing.T) conformance.Bucket {
			url, dir := testbucket.Dir(t)
			return conformance.Bucket{Bucket: testbucket.Open(t, url), URL: url, Root: dir}
		}))
	})
	t.Run("s3", func(t *testing.T) {
		conformance.Run(t, harness("duckdb (s3://)", func(t *testing.T) conformance.Bucket {
			url := testbucket.S3(t, "sync-logs")
			return conformance.Bucket{Bucket: testbucket.Open(t, url), URL: url}
		}))
	})
}

func harness(name string, bucket func(*testing.T) conformance.Bucket) conformance.Harness {
	return conformance.Harness{
		Name:      name,
		NewBucket: bucket,
		Open: func(t *testing.T, _ conformance.Bucket) warehouse.Warehouse {
			e := duckdb.Engine()
			w, err := e.Open(context.Background(), e.Local(filepath.Join(t.TempDir(), "conformance.duckdb")), warehouse.Options{})
			if err != nil {
				t.Fatalf("open duckdb: %v", err)
			}
			t.Cleanup(func() { w.Close() })
			return w
		},
	}
}
