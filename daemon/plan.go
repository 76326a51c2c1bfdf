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
	// A file:// bucket is walked from its folder, in one pass, holding only
	// the entries of the folders the walk is in: no pages (loader.Discover).
	ls := loader.BucketListings(t.bucket, t.root, ps, t.d.deps.Loader.StallTimeout)
	p, err := loader.PlanStream(ctx, src, ls)
	if err != nil {
		return p, err
	}
	if p.Unordered {
		t.log.Warn("the bucket listing or the ledger was not in key order; planned with each prefix's ledger in memory")
	}
	t.noteBadKeys(p)
	// Said when it starts, not every tick while it lasts.
	if p.VanishedFacts > 0 && !t.factsVanished {
		loader.LogVanishedFacts(t.log, p.VanishedFacts)
	}
	if s.facts {
		t.factsVanished = p.VanishedFacts > 0
	}
	return p, nil
}

// noteBadKeys warns of each object whose name is not UTF-8 once in the
// daemon's life, when a listing first has it, and takes them out of the
// plan: Apply would warn at every load and an idle cycle never, so a file
// that came while the daemon ran went unsaid (found by a user audit), and
// one that stays until it is renamed would be said every tick.
func (t *target) noteBadKeys(p *loader.Plan) {
	for _, o := range p.BadKeys {
		if t.badKeys[o.Key] {
			continue
		}
		if t.badKeys == nil {
			t.badKeys = map[string]bool{}
		}
		t.badKeys[o.Key] = true
		loader.LogBadKey(t.log, o.Key)
	}
	p.BadKeys = nil
}
