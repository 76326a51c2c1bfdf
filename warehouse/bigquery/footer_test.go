package bigquery

import (
	"context"
	"fmt"
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

// A failed read of an object whose key reads as the machine's words is the
// bucket's, transient, as a plain key's: its words are not the machine's.
// It was config/permission for "permission denied", resource/disk_full for
// "no space left on device".
func TestFooterReadOfAKeyReadingAsMachineWords(t *testing.T) {
	for _, key := range []string{"run=1/records.parquet", "run=1/permission denied.parquet", "run=1/no space left on device.parquet",
		"run=1/input/output error.parquet", "run=1/too many open files.parquet"} {
		err := bucketError(fmt.Errorf(`blob (key %q) (code=Unknown): operation error S3: GetObject, https response error StatusCode: 500`, key))
		if reason, _ := warehouse.Explain(err); warehouse.ClassOf(err) != warehouse.Transient || reason != "bucket" {
			t.Errorf("%q: %s/%s, want transient/bucket", key, warehouse.ClassOf(err), reason)
		}
	}
}
