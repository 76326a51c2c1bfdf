package bigquery_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/loader"
)

// On BigQuery as on every engine: an object that keeps failing is
// quarantined (QuarantineAfter), Requeue puts it back as failed with no
// attempts, and InstallViews (what `synctrack views` runs) puts every
// analysis view in the dataset.
func TestQuarantineRequeueAndViews(t *testing.T) {
	e := newEnv(t)
	e.generate(t, smallOptions())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bad := "sync_tracking_datasets/1001/52275/8867293/records_updated.99.parquet"
	if err := e.bucket.WriteAll(ctx, bad, []byte("PAR1 not parquet PAR1"), nil); err != nil {
		t.Fatal(err)
	}
	w := e.open(t)
	rep, err := loader.New(e.bucket, "", w, loader.Options{QuarantineAfter: 1}).Load(ctx)
	if err != nil || rep.Quarantined != 1 || len(rep.Failed) != 1 || rep.Failed[0].Key != bad {
		t.Fatalf("load: %+v, %v; want %s alone, quarantined", rep, err, bad)
	}
	status := func() string {
		return strings.Join(bqRows(t, w, "SELECT CONCAT(status, ' ', CAST(attempts AS STRING)) FROM synctrack.load_ledger WHERE key = '"+bad+"'"), ",")
	}
	if got := status(); got != "quarantined 1" {
		t.Fatalf("ledger: %q, want quarantined 1", got)
	}
	n, err := w.Requeue(ctx, []string{bad})
	if err != nil || n != 1 {
		t.Fatalf("requeue: %d, %v", n, err)
	}
	if got := status(); got != "failed 0" {
		t.Fatalf("after requeue: %q, want failed 0", got)
	}

	names, err := w.InstallViews(ctx)
	if err != nil || len(names) < 5 {
		t.Fatalf("install views: %v, %v", names, err)
	}
	for _, v := range names {
		if _, err := w.Client().Dataset("synctrack").Table(v).Metadata(ctx); err != nil {
			t.Errorf("view %s: %v", v, err)
		}
	}
}
