package postgres_test

import (
	"context"
	"testing"

	"github.com/synctrack/synctrack/internal/conformance"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// The conformance suite on a real PostgreSQL server, over a local folder
// (read in place) and over S3 at the wire (staged to local files first).
func TestConformance(t *testing.T) {
	t.Run("file", func(t *testing.T) {
		conformance.Run(t, harness("postgres (file://)", func(t *testing.T) conformance.Bucket {
			url, dir := testbucket.Dir(t)
			return conformance.Bucket{Bucket: testbucket.Open(t, url), URL: url, Root: dir}
		}))
	})
	t.Run("s3", func(t *testing.T) {
		conformance.Run(t, harness("postgres (s3://)", func(t *testing.T) conformance.Bucket {
			url := testbucket.S3(t, "sync-logs")
			return conformance.Bucket{Bucket: testbucket.Open(t, url), URL: url}
		}))
	})
	// Every batch of two files or more split over two transactions at once,
	// as a large batch is.
	t.Run("split", func(t *testing.T) {
		h := harness("postgres (split batches)", func(t *testing.T) conformance.Bucket {
			url, dir := testbucket.Dir(t)
			return conformance.Bucket{Bucket: testbucket.Open(t, url), URL: url, Root: dir}
		})
		h.Open = func(t *testing.T, _ conformance.Bucket) warehouse.Warehouse {
			w := open(t, pgtest.URL(t), warehouse.Options{})
			postgres.SplitEveryBatch(w.(*postgres.Warehouse))
			return w
		}
		conformance.Run(t, h)
	})
}

func harness(name string, bucket func(*testing.T) conformance.Bucket) conformance.Harness {
	return conformance.Harness{
		Name:      name,
		NewBucket: bucket,
		Open: func(t *testing.T, _ conformance.Bucket) warehouse.Warehouse {
			return open(t, pgtest.URL(t), warehouse.Options{})
		},
	}
}

// open opens a warehouse through the engine's registry entry.
func open(t testing.TB, url string, o warehouse.Options) warehouse.Warehouse {
	t.Helper()
	w, err := postgres.Engine().Open(context.Background(), url, o)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}
