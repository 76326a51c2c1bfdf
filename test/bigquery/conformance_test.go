package bigquery_test

import (
	"testing"

	"github.com/synctrack/synctrack/internal/conformance"
	"github.com/synctrack/synctrack/warehouse"
	bq "github.com/synctrack/synctrack/warehouse/bigquery"
)

// The conformance suite on BigQuery, path b, in the emulator reading the
// fake GCS bucket the loader lists. Rows and views are counted with SQL in
// the emulator, and the templates' answers compared with DuckDB's, after
// the emulator's two timestamp gaps are undone (fixMillis, fixLocalMicros).
func TestConformance(t *testing.T) {
	var e *env
	conformance.Run(t, conformance.Harness{
		Name: "bigquery (emulator)",
		NewBucket: func(t *testing.T) conformance.Bucket {
			e = newEnv(t)
			return conformance.Bucket{Bucket: e.bucket, URL: e.bucketURL}
		},
		Open: func(t *testing.T, _ conformance.Bucket) warehouse.Warehouse { return e.open(t) },
		Repair: func(t *testing.T, wh warehouse.Warehouse, _ conformance.Bucket) {
			fixMillis(t, wh.(*bq.Warehouse))
			fixLocalMicros(t, e, wh.(*bq.Warehouse))
		},
		Differ: differentColumns,
	})
}
