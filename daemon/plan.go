package daemon

import (
	"context"

	"github.com/synctrack/synctrack/loader"
)

// plan lists the scope's prefixes and plans them against the ledger read by
// the same prefixes, the two merged in key order (loader.PlanStream): a
// cycle holds neither the listing nor the ledger, only what must load.
func (t *target) plan(ctx context.Context, src loader.LedgerSource, s scope) (*loader.Plan, error) {
	ps := s.prefixes()
	// A file:// bucket's folder that is gone fails the cycle, an idle one
	// too: Apply's own check is never reached when the listing, empty, has
	// nothing new (found by a user audit).
	if err := loader.CheckRoot(t.root); err != nil {
		return nil, err
	}
	if t.root != "" {
		if err := loader.CheckFolders(t.root, ps); err != nil {
			return nil, err
		}
	}
	// A file:// bucket is walked from its folder, in one pass, holding only
	// the entries of the folders the walk is in: no pages (loader.Discover).
	ls := loader.BucketListings(t.bucket, t.root, ps, t.d.deps.Loader.StallTimeout)
	p, err := loader.PlanStream(ctx, src, ls)
	if err == nil && p.Unordered {
		t.log.Warn("the bucket listing or the ledger was not in key order; planned with each prefix's ledger in memory")
	}
	return p, err
}
