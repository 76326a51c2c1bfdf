package daemon

import (
	"context"
	"fmt"
	"io"
	"strings"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// readLedger reads what planning needs of the ledger: streamed when the
// warehouse can (warehouse.LedgerScanner), else from its full rows.
func readLedger(ctx context.Context, wh warehouse.Warehouse) (loader.Ledger, error) {
	sc, ok := wh.(warehouse.LedgerScanner)
	if !ok {
		rows, err := wh.Ledger(ctx)
		if err != nil {
			return nil, fmt.Errorf("read ledger: %w", err)
		}
		return loader.NewLedger(rows), nil
	}
	l := loader.Ledger{}
	err := sc.ScanLedger(ctx, func(key, etag, status string, attempts int) error {
		l[key] = append(l[key], loader.Version{ETag: etag, Status: status, Attempts: attempts})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	return l, nil
}

// plan lists the scope's prefixes against a ledger read before. It is the
// loader's Plan split in two, so an idle cycle can let the warehouse go
// between the ledger read and the listing.
func (t *target) plan(ctx context.Context, l loader.Ledger, s scope) (*loader.Plan, error) {
	pl := loader.NewPlanner(l)
	add := func(o loader.Object) error {
		pl.Add(o)
		return nil
	}
	ps := s.prefixes()
	if t.root != "" && s.runs {
		// A file:// bucket builds a listing page by walking the directory tree
		// under the prefix, and the loader asks for pages of 100,000 (each page
		// is a new walk), so one page would hold the whole run prefix at once.
		// Listing sync folder by sync folder walks the same tree once in all,
		// with one sync's objects in memory at a time.
		if err := t.listSplit(ctx, loader.RunsPrefix, 2, add); err != nil {
			return nil, err
		}
		ps = ps[:0:0]
		for _, p := range s.prefixes() {
			if !strings.HasPrefix(p, loader.RunsPrefix) {
				ps = append(ps, p)
			}
		}
	}
	if err := loader.DiscoverPrefixes(ctx, t.bucket, ps, add); err != nil {
		return nil, err
	}
	return pl.Plan(), nil
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
