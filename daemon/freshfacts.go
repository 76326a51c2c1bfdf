package daemon

import (
	"context"

	"github.com/synctrack/synctrack/loader"
)

// A daemon started on an empty bucket (a fresh one the vendor starts
// writing later) listed metadata/ at startup, found nothing, and looked
// there again only at the facts tick, 6 h later by default: fact files that
// came with the first runs loaded hours after them, and the joins over the
// fact tables were empty meanwhile (found by an operator audit). So until a
// look at metadata/ has found fact files, each run tick lists metadata/
// too: one more listing, of a small prefix, per tick while the bucket has
// no fact file, none once it has. A daemon started on a bucket with fact
// files finds them at startup and never does. With events on, a fact
// file's notification loads the fact tables already; a tick that lists
// nothing is left alone.

// withFacts is s with the fact tables added to a listing of the run
// folders while no look at metadata/ has found its fact files. Its why says
// so: the log's "loaded scope=runs files=6 rows=0" was the fact files'
// load, read as six empty run files, and the duration metric's label was
// "all" for that cycle already.
func (t *target) withFacts(s scope) scope {
	if s.runs && !s.facts && !t.factsFound {
		s.facts = true
		s.why += "+facts"
	}
	return s
}

// factsListing is l, the listing of metadata/, noting in t.factsListed
// whether it has a fact file.
func (t *target) factsListing(l loader.Listing) listFunc {
	t.factsListed = false
	return func(ctx context.Context, fn func(loader.Object) error) error {
		return l.List(ctx, func(o loader.Object) error {
			t.factsListed = t.factsListed || o.Kind == loader.KindFact
			return fn(o)
		})
	}
}

// noteFacts, after a cycle of s that succeeded with rep, notes whether the
// fact files are found: its listing of metadata/ had some, and none was
// left still being written (a file:// bucket's, read before its writer
// finished: the next tick tries it, not the facts tick hours later). One
// that failed is tried again at the facts tick, as any failed fact file is:
// an object store publishes whole objects, so the next tick would fail it
// again.
func (t *target) noteFacts(s scope, rep *loader.Report) {
	if s.facts && t.factsListed && rep != nil && rep.Pending == 0 {
		t.factsFound = true
	}
}
