package loader

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob"
)

// A file:// bucket pages by walking its tree, which visits folder r/ before
// its sibling r-2/ although "r-2/..." sorts first: a page ending inside r/
// used to skip r-2's objects for good, or repeat keys. Listed in pages of 2
// (the real size is 100,000), every object must come once, in key order.
func TestFilePagingKeepsSiblingFolders(t *testing.T) {
	defer func(n int) { listPageSize = n }(listPageSize)
	listPageSize = 2
	dir := t.TempDir()
	b, err := blob.OpenBucket(context.Background(), "file://"+filepath.ToSlash(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var want []string
	for _, run := range []string{"r", "r-2", "r.3", "r 4", "s"} {
		for i := range 3 {
			key := fmt.Sprintf("sync_tracking_datasets/1/2/%s/records_updated.%d.parquet", run, i)
			if err := b.WriteAll(context.Background(), key, []byte("x"), nil); err != nil {
				t.Fatal(err)
			}
			want = append(want, key)
		}
	}
	slices.Sort(want)
	// Through fileblob's pages, and walked from the folder itself (root).
	for _, root := range []string{"", dir} {
		for _, prefix := range []string{RunsPrefix, "sync_tracking_datasets/1/2/"} {
			listedInOrder(t, b, root, prefix, want)
		}
	}
}

func listedInOrder(t *testing.T, b *blob.Bucket, root, prefix string, want []string) {
	t.Helper()
	var got []string
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := DiscoverPrefixes(context.Background(), b, root, []string{prefix}, func(o Object) error {
		got = append(got, o.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	// A page is allocated whole first: one of math.MaxInt32 objects took
	// 16 GiB a folder, 224 GiB in this test.
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<20 {
		t.Errorf("listing %s in pages of 2 allocated %d MiB", prefix, n>>20)
	}
	if !slices.Equal(got, want) {
		t.Errorf("listing %s in pages of 2 (root %q):\n got %q\nwant %q", prefix, root, got, want)
	}
}
