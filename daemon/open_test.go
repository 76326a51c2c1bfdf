package daemon

import (
	"context"
	"errors"
	"testing"

	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"

	"github.com/synctrack/synctrack/warehouse"
)

// A target's warehouse is opened with the target's bucket and its URL, which
// BigQuery's loads read.
func TestOpenHandsTheBucket(t *testing.T) {
	b := memblob.OpenBucket(nil)
	defer b.Close()
	refused := errors.New("refused")
	var got []any
	d := &Daemon{deps: Deps{OpenWarehouse: func(_ context.Context, url string, bb *blob.Bucket, bucketURL string, ro bool) (warehouse.Warehouse, error) {
		got = []any{url, bb == b, bucketURL, ro}
		return nil, refused
	}}}
	tg := &target{d: d, cfg: Target{Bucket: "gs://logs", Warehouse: "bigquery://p/d"}, bucket: b}
	if _, err := tg.open(context.Background(), true); !errors.Is(err, refused) {
		t.Fatal(err)
	}
	if got[0] != "bigquery://p/d" || got[1] != true || got[2] != "gs://logs" || got[3] != true {
		t.Fatalf("OpenWarehouse got %v", got)
	}
}
