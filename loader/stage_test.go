package loader

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/warehouse"
)

// A file:// object with a plain path is read where it is; one whose path holds
// glob or quote characters gets a link of the Stager's own name. Release
// removes the links and never a bucket file.
func TestStageFileBucketLinksOnlyWhatItMust(t *testing.T) {
	root, dir := t.TempDir(), t.TempDir()
	type row struct{ Identifier string }
	var keys = []string{"sync_tracking_datasets/1/2/3/records_updated.0.parquet", "sync_tracking_datasets/1/[*]/3/it's.parquet"}
	var ws []Work
	for _, k := range keys {
		p := filepath.Join(root, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := parquet.WriteFile(p, []row{{"a"}, {"b"}}); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(p)
		ws = append(ws, Work{Object: warehouse.Object{Key: k, Size: st.Size()}})
	}
	s := &Stager{Root: root, Dir: dir, Workers: 2}
	out := s.Stage(context.Background(), ws)
	for i, o := range out {
		if o.Err != nil || o.File.Rows != 2 {
			t.Fatalf("%s: rows %d err %v", keys[i], o.File.Rows, o.Err)
		}
	}
	if want := filepath.Join(root, filepath.FromSlash(keys[0])); out[0].File.Local != want {
		t.Errorf("plain key staged at %s, want it read in place at %s", out[0].File.Local, want)
	}
	link := out[1].File.Local
	if filepath.Dir(link) != dir {
		t.Fatalf("key with glob characters staged at %s, want a link in %s", link, dir)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("%s is not a symlink: %v", link, err)
	}
	s.Release([]warehouse.File{out[0].File, out[1].File})
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Errorf("link %s still there after Release: %v", link, err)
	}
	for _, k := range keys {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(k))); err != nil {
			t.Errorf("Release touched the bucket file %s: %v", k, err)
		}
	}
}

func TestPlainPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/tmp/b/sync_tracking_datasets/1/2/3/records_updated.0.parquet": true,
		"/tmp/b/dt=2026-11-27/x.parquet":                                true,
		"relative/x.parquet":                                            false,
		"/tmp/b/*.parquet":                                              false,
		"/tmp/b/x?.parquet":                                             false,
		"/tmp/b/[ab].parquet":                                           false,
		"/tmp/b/{a,b}.parquet":                                          false,
		"/tmp/b/it's.parquet":                                           false,
		"/tmp/b/s3://x.parquet":                                         false,
		"/tmp/b/~x/x.parquet":                                           false,
		"/tmp/b/with space.parquet":                                     false,
	} {
		if got := plainPath(p); got != want {
			t.Errorf("plainPath(%q) = %v, want %v", p, got, want)
		}
	}
}

// A file:// object deleted since the listing is gone, left for the next
// load; a staging area that went away (a temp cleaner) is not: the
// objects are still there, and taking them for gone would end the load
// with nothing loaded and no error.
func TestStageGoneIsTheObjectOnly(t *testing.T) {
	root := t.TempDir()
	type row struct{ Identifier string }
	keys := []string{"sync_tracking_datasets/1/2/3/records_updated.0.parquet", "sync_tracking_datasets/1/[*]/3/it's.parquet"}
	var ws []Work
	for _, k := range keys {
		p := filepath.Join(root, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := parquet.WriteFile(p, []row{{"a"}}); err != nil {
			t.Fatal(err)
		}
		ws = append(ws, Work{Object: warehouse.Object{Key: k, Size: 1}})
	}
	s := &Stager{Root: root, Dir: filepath.Join(t.TempDir(), "removed"), Workers: 1}
	if out := s.Stage(context.Background(), ws[1:]); out[0].Err == nil || isGone(out[0].Err) {
		t.Errorf("staging area gone: %v, gone %v; want an error, not the object gone", out[0].Err, out[0].Err != nil && isGone(out[0].Err))
	}
	s.Dir = t.TempDir()
	for _, k := range keys {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(k))); err != nil {
			t.Fatal(err)
		}
	}
	for i, o := range s.Stage(context.Background(), ws) {
		if !isGone(o.Err) {
			t.Errorf("%s deleted: %v, want it gone", keys[i], o.Err)
		}
	}
}

// A warehouse that reads a file:// bucket itself (BigQuery's load jobs,
// through the bucket) follows a link as the stager does: a link out of the
// bucket's folder fails alone there too, before the warehouse reads it.
func TestStageRepairOnlyRefusesLinksOutOfTheBucket(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	type row struct{ Identifier string }
	target := filepath.Join(outside, "other.parquet")
	if err := parquet.WriteFile(target, []row{{"a"}}); err != nil {
		t.Fatal(err)
	}
	key := "sync_tracking_datasets/1/2/3/records_updated.0.parquet"
	p := filepath.Join(root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
	out := (&Stager{Root: root, RepairOnly: true}).Stage(context.Background(), []Work{{Object: warehouse.Object{Key: key}}})
	if err := out[0].Err; err == nil || warehouse.ClassOf(err) != warehouse.Data {
		t.Errorf("a link out of the bucket: %v, want a data error", err)
	}
}
