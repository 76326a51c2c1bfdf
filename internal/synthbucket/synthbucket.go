// Package synthbucket is a bucket that lists N made-up records files without
// storing them, for benchmarks at a scale no test should write: a million
// objects cost no memory here, so what a cycle costs is synctrack's own.
// It only lists (in key order, S3's pages of 1,000) and counts its LIST calls;
// reading an object fails.
package synthbucket

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/blob/driver"
	"gocloud.dev/gcerrors"
)

// Content is every object's body as far as its ETag goes: the listing gives
// the MD5 of it, as memblob does.
const Content = "synthetic"

// ETag is the version tag synctrack reads for every object of the bucket.
func ETag() string {
	sum := md5.Sum([]byte(Content))
	return strconv.Quote(fmt.Sprintf("%x", sum))
}

// Key is the i-th object: 10 syncs of 100,000, 100 files per run, with
// fixed-width numbers so that key order is index order.
func Key(i int) string {
	return fmt.Sprintf("sync_tracking_datasets/9001/%05d/%07d/records_updated.%03d.parquet", i/100000, i/100, i%100)
}

// KeySQL renders Key in DuckDB for an integer column i.
const KeySQL = `printf('sync_tracking_datasets/9001/%05d/%07d/records_updated.%03d.parquet', i // 100000, i // 100, i % 100)`

// Bucket is the driver; Lists counts ListPaged calls.
type Bucket struct {
	N     int
	Lists atomic.Int64
	at    time.Time
	md5   []byte
}

// Open returns a bucket of n objects.
func Open(n int) (*blob.Bucket, *Bucket) {
	sum := md5.Sum([]byte(Content))
	d := &Bucket{N: n, at: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), md5: sum[:]}
	return blob.NewBucket(d), d
}

var errNo = errors.New("synthbucket: listing only")

func (b *Bucket) ListPaged(_ context.Context, o *driver.ListOptions) (*driver.ListPage, error) {
	b.Lists.Add(1)
	start := sort.Search(b.N, func(i int) bool { return Key(i) >= o.Prefix })
	if len(o.PageToken) > 0 {
		n, err := strconv.Atoi(string(o.PageToken))
		if err != nil {
			return nil, err
		}
		start = n
	}
	size := min(max(o.PageSize, 1), 1000)
	page := &driver.ListPage{}
	i := start
	for ; i < b.N && len(page.Objects) < size; i++ {
		k := Key(i)
		if !strings.HasPrefix(k, o.Prefix) {
			i = b.N
			break
		}
		page.Objects = append(page.Objects, &driver.ListObject{Key: k, ModTime: b.at, Size: int64(len(Content)), MD5: b.md5})
	}
	if i < b.N && strings.HasPrefix(Key(i), o.Prefix) {
		page.NextPageToken = []byte(strconv.Itoa(i))
	}
	return page, nil
}

func (b *Bucket) ErrorCode(error) gcerrors.ErrorCode { return gcerrors.NotFound }
func (b *Bucket) As(any) bool                        { return false }
func (b *Bucket) ErrorAs(error, any) bool            { return false }
func (b *Bucket) Attributes(context.Context, string) (*driver.Attributes, error) {
	return nil, errNo
}
func (b *Bucket) NewRangeReader(context.Context, string, int64, int64, *driver.ReaderOptions) (driver.Reader, error) {
	return nil, errNo
}
func (b *Bucket) NewTypedWriter(context.Context, string, string, *driver.WriterOptions) (driver.Writer, error) {
	return nil, errNo
}
func (b *Bucket) Copy(context.Context, string, string, *driver.CopyOptions) error { return errNo }
func (b *Bucket) Delete(context.Context, string, *driver.DeleteOptions) error     { return errNo }
func (b *Bucket) SignedURL(context.Context, string, *driver.SignedURLOptions) (string, error) {
	return "", errNo
}
func (b *Bucket) Close() error { return nil }
