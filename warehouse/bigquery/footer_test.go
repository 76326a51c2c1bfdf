package bigquery

import (
	"context"
	"testing"

	"gocloud.dev/blob/memblob"

	"github.com/synctrack/synctrack/warehouse"
)

// An object whose last bytes say "PAR1" but whose footer length is garbage
// fails as bad data, not as a bucket error: the length points before the
// file, and asking the bucket for that range used to come back as a bad
// request, which stopped every load (found by the emulator suite).
func TestGarbageFooterIsData(t *testing.T) {
	ctx := context.Background()
	b := memblob.OpenBucket(nil)
	defer b.Close()
	raw := []byte("PAR1 not parquet PAR1")
	if err := b.WriteAll(ctx, "k.parquet", raw, nil); err != nil {
		t.Fatal(err)
	}
	w := &Warehouse{c: Config{Bucket: b}}
	_, err := w.readFooter(ctx, "k.parquet", int64(len(raw)))
	if warehouse.ClassOf(err) != warehouse.Data {
		t.Fatalf("readFooter: %v (class %s), want a data error", err, warehouse.ClassOf(err))
	}
}
