// Package testbucket gives tests real buckets: a directory through fileblob, and
// S3 through its wire protocol (gofakes3 in-process behind an httptest server,
// reached by the real aws-sdk-go-v2 client through gocloud's s3 driver).
package testbucket

import (
	"context"
	"io/fs"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/memblob"
	_ "gocloud.dev/blob/s3blob"
)

// S3 starts an in-process S3 server holding one empty bucket and returns the
// gocloud URL that reaches it over plain HTTP, path-style.
func S3(t testing.TB, bucket string) string {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatalf("create fake s3 bucket: %v", err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	return "s3://" + bucket + "?region=us-east-1&endpoint=" + srv.URL + "&use_path_style=true&disable_https=true"
}

// Endpoint is the endpoint= of an S3 bucket URL.
func Endpoint(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Query().Get("endpoint")
}

// WithEndpoint is an S3 bucket URL with its endpoint= replaced: the same
// bucket reached through a proxy (internal/faultproxy), or a dead port.
func WithEndpoint(raw, endpoint string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set("endpoint", endpoint)
	u.RawQuery = q.Encode()
	return u.String()
}

// Dir returns a file:// URL for a new temp directory, and the directory.
func Dir(t testing.TB) (string, string) {
	t.Helper()
	dir := t.TempDir()
	return "file://" + filepath.ToSlash(dir) + "?metadata=skip", dir
}

// Open opens a bucket URL, closing it when the test ends.
func Open(t testing.TB, url string) *blob.Bucket {
	t.Helper()
	b, err := blob.OpenBucket(context.Background(), url)
	if err != nil {
		t.Fatalf("open bucket %s: %v", url, err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// Upload copies every file under dir into the bucket at url, each at its
// slash path below dir: a generated folder put into an S3 bucket.
func Upload(t testing.TB, url, dir string) {
	t.Helper()
	b := Open(t, url)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return b.WriteAll(context.Background(), filepath.ToSlash(rel), raw, nil)
	})
	if err != nil {
		t.Fatalf("upload %s to %s: %v", dir, url, err)
	}
}
