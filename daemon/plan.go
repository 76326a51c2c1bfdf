package daemon

import (
	"context"
	"fmt"
	"io"
	"strings"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/loader"
)

// plan lists the scope's prefixes and plans them against the ledger read by
// the same prefixes, the two merged in key order (loader.PlanStream): a
// cycle holds neither the listing nor the ledger, only what must load.
func (t *target) plan(ctx context.Context, src loader.LedgerSource, s scope) (*loader.Plan, error) {
	ps := s.prefixes()
	if t.root != "" {
		if err := loader.CheckFolders(t.root, ps); err != nil {
			return nil, err
		}
	}
	var ls []loader.Listing
	if t.root != "" && s.runs {
		// A file:// bucket builds a listing page by walking the directory tree
		// under the prefix, and the loader asks for pages of 100,000 (each page
		// is a new walk), so one page would hold the whole run prefix at once.
		// Listing sync folder by sync folder walks the same tree once in all,
		// with one sync's objects in memory at a time, still in key order.
		ls = append(ls, loader.Listing{Prefix: loader.RunsPrefix, List: func(ctx context.Context, fn func(loader.Object) error) error {
			return t.listSplit(ctx, loader.RunsPrefix, 2, fn)
		}})
		ps = ps[:0:0]
		for _, p := range s.prefixes() {
			if !strings.HasPrefix(p, loader.RunsPrefix) {
				ps = append(ps, p)
			}
		}
	}
	ls = append(ls, loader.BucketListings(t.bucket, ps, t.d.deps.Loader.StallTimeout)...)
	p, err := loader.PlanStream(ctx, src, ls)
	if err == nil && p.Unordered {
		t.log.Warn("the bucket listing or the ledger was not in key order; planned with each prefix's ledger in memory")
	}
	return p, err
}

// listSplit lists prefix as one listing per folder depth levels below it; the
// objects between (not in a folder at that depth) are listed too.
func (t *target) listSplit(ctx context.Context, prefix string, depth int, fn func(loader.Object) error) error {
	if depth == 0 {
		return loader.DiscoverPrefixes(ctx, t.bucket, []string{prefix}, fn)
	}
	it := t.bucket.List(&blob.ListOptions{Prefix: prefix, Delimiter: "/"})
	for {
		lo, err := it.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("list %s: %w", prefix, err)
		}
		if lo.IsDir {
			err = t.listSplit(ctx, lo.Key, depth-1, fn)
		} else {
			err = fn(loader.ObjectOf(lo))
		}
		if err != nil {
			return err
		}
	}
}
