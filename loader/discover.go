package loader

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/storage"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"gocloud.dev/blob"
)

// Discover lists both prefixes of the bucket and calls fn with each object,
// classified. Listing stops at the first error from fn or the bucket.
// root is the folder of a file:// bucket, or "": its files are listed from
// the folder itself, each under its own name (walkPrefix), not through b.
func Discover(ctx context.Context, b *blob.Bucket, root string, fn func(Object) error) error {
	return DiscoverPrefixes(ctx, b, root, []string{RunsPrefix, FactsPrefix}, fn)
}

// listPageSize is large because a file:// bucket listed through gocloud's
// fileblob (its folder not given: the loader's callers all give it, and walk
// it themselves) walks its whole directory tree for every page (100,000
// objects: 34 s in pages of 1,000, 0.6 s in one page); S3 and GCS cap pages
// at 1,000 themselves.
var listPageSize = 100_000 // a var for the tests of file:// paging

// DiscoverPrefixes is Discover over the given prefixes only: RunsPrefix,
// FactsPrefix, or one run or sync folder under RunsPrefix.
// A prefix inside another one of the list is listed once, with the outer one.
func DiscoverPrefixes(ctx context.Context, b *blob.Bucket, root string, prefixes []string, fn func(Object) error) error {
	return discover(ctx, b, root, prefixes, DefaultStallTimeout, fn)
}

// discover is DiscoverPrefixes with a stall timeout per page.
func discover(ctx context.Context, b *blob.Bucket, root string, prefixes []string, stall time.Duration, fn func(Object) error) error {
	var fi os.FileInfo
	walked := root == "" && b.As(&fi) // a file:// bucket listed through fileblob: see listPrefix
	for _, prefix := range outermost(prefixes) {
		var err error
		if root != "" {
			err = walkPrefix(ctx, root, prefix, fn)
		} else {
			err = listPrefix(ctx, b, prefix, stall, walked, fn)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// listPrefix lists the objects under prefix, in key order, page by page.
//
// A file:// bucket (walked) makes each page by walking its directory tree
// and starts the next after the page's last key; but the walk visits a
// folder before a sibling named like it plus a byte below '/' ("r/" before
// "r-2/", though "r-2/..." < "r/..."), so a page ending inside such a folder
// would skip or repeat the sibling's keys. There a prefix that needs more
// than one page is listed folder by folder instead (listFolders); the files
// of one folder come in name order, which is key order.
func listPrefix(ctx context.Context, b *blob.Bucket, prefix string, stall time.Duration, walked bool, fn func(Object) error) error {
	for token := blob.FirstPageToken; len(token) > 0; {
		page, next, err := listPage(ctx, b, token, prefix, "", listPageSize, stall)
		if err != nil {
			return err
		}
		if walked && len(next) > 0 && bytes.Equal(token, blob.FirstPageToken) {
			return listFolders(ctx, b, prefix, stall, fn)
		}
		if err := emit(page, fn); err != nil {
			return err
		}
		token = next
	}
	return nil
}

// listFolders lists one level under prefix (its files and subfolders) in
// one page, sorted by key (a folder's ends in '/', so it sorts where its
// keys do), and each subfolder in turn with listPrefix.
func listFolders(ctx context.Context, b *blob.Bucket, prefix string, stall time.Duration, fn func(Object) error) error {
	level, err := listLevel(ctx, b, prefix, stall)
	if err != nil {
		return err
	}
	sort.Slice(level, func(i, j int) bool { return level[i].Key < level[j].Key })
	for _, lo := range level {
		if !lo.IsDir {
			if err := fn(ObjectOf(lo)); err != nil {
				return err
			}
			continue
		}
		if err := listPrefix(ctx, b, lo.Key, stall, true, fn); err != nil {
			return err
		}
	}
	return nil
}

// listLevel lists one level under prefix in one page: a page as large as
// listPageSize first, then eight times larger until the level fits. The
// page is never asked larger than it must be: blob.ListPage allocates
// room for a whole page first (a page of math.MaxInt32 took 16 GiB of
// address space a call, and Go's heap then grew past 200 GiB, its
// collector all but stopped, and a test binary was killed at 24 GB).
func listLevel(ctx context.Context, b *blob.Bucket, prefix string, stall time.Duration) ([]*blob.ListObject, error) {
	for size := listPageSize; ; size *= 8 {
		level, next, err := listPage(ctx, b, blob.FirstPageToken, prefix, "/", size, stall)
		if err != nil || len(next) == 0 {
			return level, err
		}
	}
}

func emit(page []*blob.ListObject, fn func(Object) error) error {
	for _, lo := range page {
		if lo.IsDir {
			continue
		}
		if err := fn(ObjectOf(lo)); err != nil {
			return err
		}
	}
	return nil
}

// listPage lists one page, ended after stall without an answer. Its error
// is classified as every other bucket read is: a listing the store refused
// for a 5xx or a reset was Unclassified, which the CLI and the daemon could
// only guess at.
func listPage(ctx context.Context, b *blob.Bucket, token []byte, prefix, delim string, size int, stall time.Duration) ([]*blob.ListObject, []byte, error) {
	g := newStallGuard(ctx, stall)
	defer g.close()
	g.begin()
	page, next, err := b.ListPage(g.ctx, token, size, &blob.ListOptions{Prefix: prefix, Delimiter: delim})
	g.end()
	if err = g.err(err); err != nil {
		return nil, nil, BucketError(fmt.Errorf("list %s: %w", prefix, err))
	}
	return page, next, nil
}

// ObjectOf classifies a listed object and takes its size, time and version tag.
func ObjectOf(lo *blob.ListObject) Object {
	o := Classify(lo.Key)
	o.Size, o.ModTime, o.ETag = lo.Size, lo.ModTime.UTC(), etagOf(lo)
	return o
}

// etagOf returns the store's own version tag for an object where the driver
// exposes it, else one made the way fileblob makes its ETags (mtime and size).
// The file case is tried first: each As target escapes to the heap, and
// storage.ObjectAttrs is large (45 MB of garbage per 100,000 objects).
func etagOf(lo *blob.ListObject) string {
	var fi os.FileInfo
	if lo.As(&fi) {
		return fileETag(fi)
	}
	var s3o types.Object
	if lo.As(&s3o) && s3o.ETag != nil {
		return *s3o.ETag
	}
	var gcs storage.ObjectAttrs
	if lo.As(&gcs) {
		return strconv.Quote(strconv.FormatInt(gcs.Generation, 10))
	}
	if len(lo.MD5) > 0 {
		return strconv.Quote(hex.EncodeToString(lo.MD5))
	}
	return fmt.Sprintf("\"%x-%x\"", lo.ModTime.UnixNano(), lo.Size)
}

// fileETag is a local file's version tag, made as fileblob makes its ETags.
func fileETag(fi os.FileInfo) string {
	return fmt.Sprintf("\"%x-%x\"", fi.ModTime().UnixNano(), fi.Size())
}

// holdsObjects says whether the folder key (ending in "/") can hold an
// object Classify reads: run files are four levels under RunsPrefix, fact
// files two or three under FactsPrefix.
func holdsObjects(folder string) bool {
	switch {
	case strings.HasPrefix(folder, RunsPrefix):
		return strings.Count(strings.TrimPrefix(folder, RunsPrefix), "/") <= 3
	case strings.HasPrefix(folder, FactsPrefix):
		return strings.Count(strings.TrimPrefix(folder, FactsPrefix), "/") <= 2
	}
	return false
}

// RunFolder is the folder of a run: sync_tracking_datasets/ORG/SYNC/RUN/.
func RunFolder(o Object) string { return path.Dir(o.Key) + "/" }

// outermost drops each prefix that another prefix of the list contains, and
// repeats, so no object is listed twice.
func outermost(prefixes []string) []string {
	var out []string
	for i, p := range prefixes {
		inner := false
		for j, q := range prefixes {
			if i != j && strings.HasPrefix(p, q) && (p != q || j < i) {
				inner = true
				break
			}
		}
		if !inner {
			out = append(out, p)
		}
	}
	return out
}
