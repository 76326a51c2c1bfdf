package daemon

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// plan lists the scope's prefixes and plans them against the ledger read by
// the same prefixes, the two merged in key order (loader.PlanStream): a
// cycle holds neither the listing nor the ledger, only what must load.
func (t *target) plan(ctx context.Context, src loader.LedgerSource, s scope) (*loader.Plan, error) {
	ps := s.prefixes()
	// A file:// bucket is walked from its folder, in one pass, holding only
	// the entries of the folders the walk is in: no pages (loader.Discover).
	ls := loader.BucketListings(t.bucket, t.root, ps, t.d.deps.Loader.StallTimeout)
	if len(s.complete) > 0 {
		t.named = map[warehouse.RunRef]namedSeen{}
	}
	for i, l := range ls {
		switch {
		case s.folders[l.Prefix]:
			ls[i].List = folderListing(l)
		case l.Prefix == loader.FactsPrefix && !t.factsFound:
			ls[i].List = t.factsListing(l)
		case l.Prefix == loader.RunsPrefix && !t.factsFound && t.runsSeen.IsZero():
			ls[i].List = t.runsListing(l.List)
		}
		if len(s.complete) > 0 {
			ls[i].List = t.namedListing(ls[i].List, s.complete)
		}
	}
	p, err := loader.PlanStream(ctx, src, ls)
	if err != nil {
		return p, err
	}
	if len(s.complete) > 0 {
		t.namedHeld(p)
	}
	if p.Unordered {
		t.log.Warn("the bucket listing or the ledger was not in key order; planned with each prefix's ledger in memory")
	}
	t.noteBadKeys(p, s)
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
// one that stays until it is renamed would be said every tick. A listing of
// a whole prefix (sync_tracking_datasets/ or metadata/) forgets the names
// under it that it no longer has: renamed or deleted, they would otherwise
// be held for the daemon's life, one more for every bad name ever seen.
func (t *target) noteBadKeys(p *loader.Plan, s scope) {
	seen := map[string]bool{}
	for _, o := range p.BadKeys {
		seen[o.Key] = true
		if t.badKeys[o.Key] {
			continue
		}
		if t.badKeys == nil {
			t.badKeys = map[string]bool{}
		}
		t.badKeys[o.Key] = true
		loader.LogBadKey(t.log, o.Key)
	}
	for k := range t.badKeys {
		whole := (s.runs && strings.HasPrefix(k, loader.RunsPrefix)) || (s.facts && strings.HasPrefix(k, loader.FactsPrefix))
		if whole && !seen[k] {
			delete(t.badKeys, k)
		}
	}
	p.BadKeys = nil
}

// folderError is a notified folder whose listing failed (not the planning
// of what it listed): the other folders of the cycle may still load.
type folderError struct {
	folder string
	err    error
}

func (e *folderError) Error() string { return e.err.Error() }
func (e *folderError) Unwrap() error { return e.err }

// listFunc lists a prefix: loader.Listing's List.
type listFunc = func(context.Context, func(loader.Object) error) error

// folderListing is l with its listing's own errors marked as the folder's.
func folderListing(l loader.Listing) listFunc {
	return func(ctx context.Context, fn func(loader.Object) error) error {
		var planErr error
		err := l.List(ctx, func(o loader.Object) error {
			planErr = fn(o)
			return planErr
		})
		if err != nil && planErr == nil && ctx.Err() == nil {
			return &folderError{folder: l.Prefix, err: err}
		}
		return err
	}
}

// planAlone plans s without the notified folders whose listing fails
// (a permission the store refuses for one prefix, ...), so one folder does
// not hold back the others of its batch (found by a user audit): each is
// logged with its cause and left in t.unlisted, for run to keep for the
// next cycle. A folder that fails with nothing else to do fails the cycle,
// as a listing of the whole bucket does. It returns the scope planned.
func (t *target) planAlone(ctx context.Context, src loader.LedgerSource, s scope) (*loader.Plan, scope, error) {
	for {
		if len(t.unlisted) > 0 {
			s = withoutFolders(s, t.unlisted)
		}
		p, err := t.plan(ctx, src, s)
		var fe *folderError
		if err == nil || !errors.As(err, &fe) || !s.folders[fe.folder] ||
			!withoutFolders(s, map[string]error{fe.folder: nil}).work() {
			return p, s, err
		}
		_, reason, fix := classify(fe.err)
		t.log.Warn("could not list a notified folder; the others load, it is tried again next cycle",
			"folder", fe.folder, "reason", reason, "err", fe.err.Error(), "fix", fix)
		if t.unlisted == nil {
			t.unlisted = map[string]error{}
		}
		t.unlisted[fe.folder] = fe.err
	}
}

// withoutFolders is s without the folders of gone and the runs the
// webhook said are complete in them: a run is completed by the cycle that
// lists its folder, not one that skipped it (its files not loaded, or its
// metadata.json not yet, when the completion changed nothing and was lost).
func withoutFolders(s scope, gone map[string]error) scope {
	s.folders = maps.Clone(s.folders)
	for f := range gone {
		delete(s.folders, f)
	}
	if len(s.complete) > 0 {
		s.complete = maps.Clone(s.complete)
		maps.DeleteFunc(s.complete, func(r warehouse.RunRef, _ bool) bool { return inFolders(r, gone) })
	}
	return s
}

// inFolders says r's run folder is in one of folders.
func inFolders(r warehouse.RunRef, folders map[string]error) bool {
	dir := loader.RunsPrefix + r.OrgID + "/" + r.SyncID + "/" + r.RunID + "/"
	for f := range folders {
		if strings.HasPrefix(dir, f) {
			return true
		}
	}
	return false
}

// reachBucket asks a bucket that is no file:// folder (CheckRoot checks
// those) for one key under the run folders' prefix. With events on, an
// idle tick lists nothing, so a bucket deleted, or that no longer lets
// synctrack's credentials in, went unnoticed (the daemon ready, its cycles
// fine) until a notification or the reconciliation came, a day away by
// default (found by a user audit). One request a tick, within the prefix a
// policy that limits listing to it allows; an empty bucket answers too.
func (t *target) reachBucket(ctx context.Context) error {
	if t.root != "" {
		return nil
	}
	wait := t.d.deps.Loader.StallTimeout
	if wait <= 0 {
		wait = loader.DefaultStallTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	_, _, err := t.bucket.ListPage(ctx, blob.FirstPageToken, 1, &blob.ListOptions{Prefix: loader.RunsPrefix})
	if err != nil {
		return loader.BucketError(fmt.Errorf("bucket: list %s: %w", loader.RunsPrefix, err))
	}
	return nil
}
