package bigquery_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
	bq "github.com/synctrack/synctrack/warehouse/bigquery"
)

// plan and status open BigQuery read-only: nothing is created, a dataset
// not loaded yet reads as an empty ledger, a loaded one as its ledger. And
// --mode external on a dataset holding loaded rows is refused, not dropped.
func TestReadOnlyAndExternalSwitch(t *testing.T) {
	e := newEnv(t)
	e.generate(t, smallOptions())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ro := func() *bq.Warehouse {
		w, err := bq.Open(ctx, bq.Config{Project: project, Dataset: "synctrack", ReadOnly: true, JobTimeout: time.Minute}, time.Now)
		if err != nil {
			t.Fatalf("open read-only: %v", err)
		}
		t.Cleanup(func() { w.Close() })
		return w
	}
	if rows, err := ro().Ledger(ctx); err != nil || len(rows) != 0 {
		t.Fatalf("ledger of a dataset not loaded yet: %d rows, %v", len(rows), err)
	}
	w := e.open(t)
	rep := loadBQ(t, e, w)
	rows, err := ro().Ledger(ctx)
	if err != nil || len(rows) < rep.Files {
		t.Fatalf("read-only ledger after a load of %d files: %d rows, %v", rep.Files, len(rows), err)
	}

	var ext warehouse.ExternalTables = w
	ext.UseExternalTables()
	_, err = w.LoadRecords(ctx, []warehouse.File{{Object: warehouse.Object{Key: "sync_tracking_datasets/1001/x/y/records_updated.9.parquet", Kind: warehouse.KindRecords}}})
	if err == nil || !strings.Contains(err.Error(), "already holds") {
		t.Errorf("external mode over loaded rows: err %v, want a refusal", err)
	}
}
