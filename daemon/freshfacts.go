package daemon

import (
	"context"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/synctrack/synctrack/loader"
)

// A daemon started on an empty bucket (a fresh one the vendor starts
// writing later) listed metadata/ at startup, found nothing, and looked
// there again only at the facts tick, 6 h later by default: fact files that
// came with the first runs loaded hours after them, and the joins over the
// fact tables were empty meanwhile (found by an operator audit). So until a
// look at metadata/ has found fact files, each run tick lists metadata/
// too. A daemon started on a bucket with fact files finds them at startup
// and never does. With events on, a fact file's notification loads the
// fact tables already; a tick that lists nothing is left alone.
//
// A bucket the vendor writes no fact files to (they go elsewhere, or none
// are made) had metadata/ listed, and its ledger rows read, on every run
// tick for the daemon's life: a LIST request, billed, and a warehouse
// query per tick, forever (found by a review). The vendor refreshes the
// fact tables every six hours, so its first ones come within a facts
// period of its first runs: once a facts period has passed since this
// daemon first listed run files with no fact file found, the facts
// schedule alone lists metadata/, as for a bucket whose fact files were
// found. A fact file that comes later still loads within a facts period.

// withFacts is s with the fact tables added to a listing of the run
// folders while no look at metadata/ has found its fact files. Its why says
// so: the log's "loaded scope=runs files=6 rows=0" was the fact files'
// load, read as six empty run files, and the duration metric's label was
// "all" for that cycle already.
func (t *target) withFacts(s scope) scope {
	if !s.runs || s.facts || t.factsFound {
		return s
	}
	now := t.d.deps.Now()
	if every := t.factsPeriod(now); !t.runsSeen.IsZero() && now.Sub(t.runsSeen) >= every {
		if !t.factsLeft {
			t.factsLeft = true
			t.log.Info("no fact files under metadata/ a facts period after the first run files; "+
				"the facts schedule alone lists metadata/ from now", "runs_since", t.runsSeen.Format(time.RFC3339),
				"facts_schedule", t.cfg.FactsSchedule)
		}
		return s
	}
	s.facts = true
	s.why += "+facts"
	return s
}

// factsPeriod is the time between two ticks of the facts schedule.
func (t *target) factsPeriod(now time.Time) time.Duration {
	sched, err := cron.ParseStandard(t.cfg.FactsSchedule)
	if err != nil { // checked at start: not reached
		return 6 * time.Hour
	}
	next := sched.Next(now)
	return sched.Next(next).Sub(next)
}

// runsListing is l, the listing of the run folders, noting in
// t.runsListed whether it has a records file or metadata.json.
func (t *target) runsListing(l listFunc) listFunc {
	t.runsListed = false
	return func(ctx context.Context, fn func(loader.Object) error) error {
		return l(ctx, func(o loader.Object) error {
			t.runsListed = t.runsListed || o.Kind == loader.KindRecords || o.Kind == loader.KindMetadata
			return fn(o)
		})
	}
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
	if t.runsListed && t.runsSeen.IsZero() {
		t.runsSeen = t.d.deps.Now()
	}
}
