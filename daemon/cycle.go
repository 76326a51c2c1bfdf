package daemon

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// cycle is one attempt: an idle check under a read lock, then, if there is
// work, the load under the write lock and the lease. It holds the warehouse
// (for DuckDB, the file) only while it runs.
func (t *target) cycle(ctx context.Context, s scope) (*loader.Report, []string, error) {
	m, name := t.d.m, t.cfg.Name
	now := t.d.deps.Now()
	due := t.sweepDue(now) || t.retentionDue() || len(t.views) > 0 ||
		len(t.viewsFailed) > 0 && now.Sub(t.viewsTried) >= viewsRetryEvery ||
		!t.viewsListed && now.Sub(t.viewsListTried) >= viewsRetryEvery
	// A file:// bucket's folder that is gone fails the cycle, an idle one
	// too: Apply's own check is never reached when the listing, empty, has
	// nothing new (found by a user audit). Before any open: a tick opened
	// the warehouse (with webhook folders pending, its write lock and the
	// lease) only to fail at the listing (a review). A tick with events on
	// too, though it lists nothing: one stat, and the folder's going was
	// noticed only when a notification or the reconciliation came (another
	// user audit).
	if err := loader.CheckRoot(t.root); err != nil {
		return nil, nil, err
	}
	if t.setUp && len(s.prefixes()) == 0 && len(s.complete) == 0 && !due {
		// A tick with events on: nothing to list, no sweep, retention or
		// views due; only whether the bucket still answers.
		return &loader.Report{}, nil, t.reachBucket(ctx)
	}
	if t.setUp && len(s.folders) == 0 && len(s.complete) == 0 && !due {
		wh, err := t.open(ctx, true)
		if err != nil {
			return nil, nil, err
		}
		m.queries.WithLabelValues(name, "ledger_read").Inc()
		// The reader is held while the listing goes by: the ledger is read
		// along with it, by prefix, never whole.
		p, err := t.plan(ctx, wh, s)
		wh.Close()
		if err != nil {
			return nil, nil, err
		}
		m.listed.WithLabelValues(name).Add(float64(p.Listed))
		m.quarantined.WithLabelValues(name).Set(float64(p.Quarantined))
		if workCount(p) == 0 {
			m.pending.WithLabelValues(name).Set(0)
			t.log.Debug("nothing new", "scope", s.why, "listed", p.Listed)
			return &loader.Report{Listed: p.Listed, UpToDate: p.UpToDate}, nil, nil
		}
	}
	wh, err := t.open(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	defer wh.Close()
	t.setUp = true
	lctx := ctx
	if l, ok := wh.(warehouse.Leaser); ok {
		held, release, err := t.hold(ctx, l)
		if err != nil {
			return nil, nil, err
		}
		defer release()
		lctx = held
	}
	t.warnMissing(wh)
	t.viewsAtStart(lctx, wh)
	rep, loaded, err := t.load(lctx, wh, s)
	return rep, loaded, leaseErr(lctx, err)
}

// load plans under the lease and applies the plan, then keeps run state.
func (t *target) load(ctx context.Context, wh warehouse.Warehouse, s scope) (*loader.Report, []string, error) {
	m, name := t.d.m, t.cfg.Name
	ld := t.loader(wh, s)
	m.queries.WithLabelValues(name, "ledger_read").Inc()
	p, s, err := t.planAlone(ctx, wh, s)
	if err != nil {
		return nil, nil, err
	}
	// An object that failed in an earlier try of this cycle is not tried
	// again until the next cycle: each try records its failure, and a
	// cycle retried for a transient error quarantined a bad object within
	// seconds, not after --quarantine-after loads (found by a review).
	inTried := func(w loader.Work) bool { return t.tried[w.Key] }
	p.Records = slices.DeleteFunc(p.Records, inTried)
	p.Metadata = slices.DeleteFunc(p.Metadata, inTried)
	leaveFacts(p, t.tried)
	freshKeys(p, t.fresh)
	m.listed.WithLabelValues(name).Add(float64(p.Listed))
	m.pending.WithLabelValues(name).Set(float64(workCount(p)))
	if workCount(p) > 0 {
		m.queries.WithLabelValues(name, "load").Inc()
	}
	rep, err := ld.Apply(ctx, p)
	if rep != nil {
		t.noteViews(rep)
	}
	if err != nil {
		var loaded []string
		if rep != nil {
			loaded = t.partly(ctx, wh, p, rep)
		}
		return rep, loaded, err
	}
	t.retained = warehouse.NewRetention(t.d.deps.Loader.RetentionDays, t.d.deps.Now()).Cutoff
	loaded, runs := t.observe(p, rep)
	m.pending.WithLabelValues(name).Set(float64(len(rep.Failed) - rep.Quarantined))
	m.quarantined.WithLabelValues(name).Set(float64(rep.InQuarantine + rep.Quarantined))
	if rs, ok := wh.(warehouse.RunStates); ok {
		if err := t.runStates(ctx, rs, runs, s, rep.Failed); err != nil {
			return rep, loaded, fmt.Errorf("run state: %w", err)
		}
	}
	if rep.Files > 0 || len(rep.Failed) > 0 {
		t.log.Info("loaded", "scope", s.why, "files", rep.Files, "rows", rep.Rows, "runs", len(runs),
			"failed", len(rep.Failed), "listed", rep.Listed)
	}
	return rep, loaded, nil
}

// partly counts what a load that ended with an error committed before it
// (loader.Report.Committed) and reopens the complete runs those files are
// late to: the retry plans from the ledger, where they are loaded, so it
// would never see them (found by a review: a run stayed complete with a
// file loaded after it, and the files were not counted). The reopening
// runs even when ctx has ended (a stop past the grace period), briefly.
func (t *target) partly(ctx context.Context, wh warehouse.Warehouse, p *loader.Plan, rep *loader.Report) []string {
	if len(rep.Committed) == 0 {
		t.d.m.rows.WithLabelValues(t.cfg.Name).Add(float64(rep.Rows))
		return nil
	}
	loaded, runs := t.observeOnly(p, rep, rep.Committed)
	rs, ok := wh.(warehouse.RunStates)
	if !ok || len(runs) == 0 {
		return loaded
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := t.reopenRuns(ctx, rs, runs); err != nil {
		t.log.Warn("could not reopen the complete runs that files loaded before the error are late to", "runs", len(runs), "err", err)
	}
	return loaded
}

func (t *target) open(ctx context.Context, readOnly bool) (warehouse.Warehouse, error) {
	wh, err := t.d.deps.OpenWarehouse(ctx, t.cfg.Warehouse, t.bucket, t.cfg.Bucket, readOnly)
	if err != nil {
		return nil, fmt.Errorf("open warehouse: %w", err)
	}
	return wh, nil
}

func (t *target) loader(wh warehouse.Warehouse, s scope) *loader.Loader {
	o := t.d.deps.Loader
	o.Logger, o.Now, o.Prefixes = t.log, t.d.deps.Now, s.prefixes()
	o.Views = append(slices.Clone(t.views), t.viewsFailed.Syncs()...)
	o.Progress = func(p loader.Progress) {
		if p.FilesDone == 0 { // told as records start, before any batch
			t.log.Debug("loading records", "files_total", p.FilesTotal)
			return
		}
		t.log.Debug("batch loaded", "files_done", p.FilesDone, "files_total", p.FilesTotal, "rows", p.Rows)
	}
	return loader.New(t.bucket, t.root, wh, o)
}

// retentionDue says a retention pass has not run at today's cutoff yet: an
// idle cycle loads nothing, but the rows of the day that just left the
// kept days must still go.
func (t *target) retentionDue() bool {
	days := t.d.deps.Loader.RetentionDays
	return days > 0 && !warehouse.NewRetention(days, t.d.deps.Now()).Cutoff.Equal(t.retained)
}

func (t *target) sweepDue(now time.Time) bool {
	every := max(t.cfg.QuietPeriod/4, time.Second)
	return t.openRuns != 0 && now.Sub(t.lastSweep) >= every
}

// warnMissing says once per target which daemon capabilities its engine lacks.
func (t *target) warnMissing(wh warehouse.Warehouse) {
	if t.warned {
		return
	}
	t.warned = true
	if _, ok := wh.(warehouse.Leaser); !ok {
		t.log.Warn("this warehouse has no load lease: run one daemon per warehouse, or two may load a file twice")
	}
	if _, ok := wh.(warehouse.RunStates); !ok {
		t.log.Warn("this warehouse keeps no run state: sync_runs has no state or completed_at here")
	}
}
