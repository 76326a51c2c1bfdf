package daemon

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sort"
	"time"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// run carries out one cycle with retries, and records how it went. Attempts
// run under ctx, which outlives a shutdown by the grace period; a backoff wait
// between them ends at once when stop (the daemon's own context) ends.
func (t *target) run(stop, ctx context.Context, s scope) {
	start := t.d.deps.Now()
	c := Cycle{Target: t.cfg.Name, Scope: s.why}
	t.tried, t.fresh, t.unlisted = map[string]bool{}, map[string]bool{}, nil
	defer t.waiting.Store(nil)
	c.Err = t.d.cfg.Retry.retry(stop, t.d.deps.After, classify, func() error {
		t.waiting.Store(nil)
		rep, loaded, err := t.cycle(ctx, s)
		c.Report, c.Loaded = rep, append(c.Loaded, loaded...)
		if rep != nil {
			for _, f := range rep.Failed {
				t.tried[f.Key] = true
			}
		}
		return err
	}, t.waited)
	now := t.d.deps.Now()
	m, name := t.d.m, t.cfg.Name
	m.duration.WithLabelValues(name, s.label()).Observe(now.Sub(start).Seconds())
	if c.Err != nil {
		cl, reason, fix := classify(c.Err)
		m.failures.WithLabelValues(name, reason).Inc()
		switch cl {
		case stopped:
			var w *stoppedWaiting
			if errors.As(c.Err, &w) {
				_, why, _ := classify(w.last)
				t.log.Info(stoppedWhileWaiting(w.class, why), "scope", s.why, "reason", why)
			} else {
				// What committed before the stop stays loaded: say how much,
				// or the reader cannot tell a stop mid-load from one that
				// had loaded nothing (found by an operator audit).
				t.log.Info("cycle stopped by shutdown; the batch in flight rolled back", "scope", s.why, "files_committed", len(c.Loaded))
			}
		case permanent:
			t.log.Error("cycle failed; trying again at once will not help until this is fixed, the next tick tries again", "scope", s.why, "reason", reason, "err", warehouse.WithoutHint(c.Err), "fix", fix)
		case resource:
			t.log.Error("cycle failed: the warehouse or this machine ran out of a resource; nothing was blamed on any object, next try at the next tick",
				"scope", s.why, "reason", reason, "err", warehouse.WithoutHint(c.Err), "fix", fix)
		default:
			t.log.Error("cycle failed; next try at the next tick", "scope", s.why, "reason", reason, "err", c.Err)
		}
		if cl != stopped {
			t.keep(s)
			if t.failedRow == 0 {
				t.failedAt = now
			}
			t.failedRow++
		} else {
			nack(s.events)
		}
	} else {
		if t.failedRow > 0 {
			// An idle cycle that succeeds logs nothing: without this the
			// log showed a failure each tick, then silence, and the
			// reader could not tell recovered from stuck.
			t.log.Info("cycle succeeded again", "scope", s.why, "failed_cycles", t.failedRow,
				"failing_since", t.failedAt.UTC().Format(time.RFC3339))
			t.failedRow = 0
		}
		t.settle(t.keepUnlisted(s))
		t.noteFacts(s, c.Report)
		if s.reconcile && c.Report != nil {
			// Objects new to the ledger (or new versions), loaded or not:
			// a failed one tried again is no news of the notifications
			// (counting it raised the alert on every reconciliation until
			// it was quarantined: found by a review).
			if n := len(t.fresh); n > 0 {
				m.reconciled.WithLabelValues(name).Add(float64(n))
				t.log.Warn("reconciliation found objects that came without a notification; check the bucket's notification setup",
					"objects", n)
			}
		}
	}
	t.mu.Lock()
	t.cycles++
	t.lastOK = c.Err == nil
	t.last = LastCycle{At: now, Loaded: len(c.Loaded), Failed: len(t.tried)}
	if len(t.viewsFailed) > 0 {
		t.last.Views = make(map[string]string, len(t.viewsFailed))
		for id, err := range t.viewsFailed {
			t.last.Views[id] = err.Error()
		}
	}
	if c.Err != nil {
		t.last.Err = c.Err.Error()
		_, t.lastReason, _ = classify(c.Err)
	}
	if t.lastOK {
		t.lastGood = now
		m.lastSuccess.WithLabelValues(name).Set(float64(now.UnixNano()) / 1e9)
	}
	t.mu.Unlock()
	// Hand the cycle's garbage (listing pages, the plan) back to the OS
	// now: a daemon spends most of its life between cycles, and the runtime
	// would otherwise keep the peak resident for minutes. It costs one
	// collection of a heap that is nearly all garbage.
	debug.FreeOSMemory()
	if t.d.deps.OnCycle != nil {
		t.d.deps.OnCycle(c)
	}
}

// keep puts what a failed cycle was asked to load and complete (webhook run
// folders, sync.completed runs, the fact tables' refresh) back in the queue
// without waking the loop: the next tick applies it. A sync.completed
// answered 202 is not dropped because the warehouse was held longer than
// the cycle's retries, and the fact tables of a failed startup or facts
// cycle are not left for the next facts tick, hours away (a run tick alone
// does not refresh them). (A restart does drop it; the quiet period then
// completes the run.) With events on, the listing of the run folders (a
// startup or reconciliation cycle) is kept too: the next tick lists
// nothing, so a failed startup listing waited for the next reconciliation,
// a day away, and a failed reconciliation's findings went uncounted (found
// by a user audit). Without events the next tick lists them anyway.
func (t *target) keep(s scope) {
	runs := s.runs && t.sub != nil
	if len(s.folders) == 0 && len(s.complete) == 0 && len(s.events) == 0 && !s.facts && !runs {
		return
	}
	t.mu.Lock()
	t.pending.merge(scope{runs: runs, reconcile: runs && s.reconcile, folders: s.folders, complete: s.complete,
		facts: s.facts, events: s.events, why: s.why})
	t.mu.Unlock()
	if len(s.events) > 0 {
		t.log.Info("kept the failed cycle's work for the next cycle; its messages are acknowledged only once it commits",
			"folders", len(s.folders), "runs", len(s.complete), "messages", len(s.events), "facts", s.facts)
	} else {
		t.log.Info("kept the failed cycle's work for the next cycle",
			"folders", len(s.folders), "runs", len(s.complete), "facts", s.facts, "listing", runs)
	}
}

// keepUnlisted puts the folders of a cycle that ended well but could not
// list them (planAlone) back in the queue for the next tick, with the
// messages that named them, and returns the messages to acknowledge.
func (t *target) keepUnlisted(s scope) []delivery {
	if len(t.unlisted) == 0 {
		return s.events
	}
	later := scope{folders: map[string]bool{}, why: s.why}
	for f := range t.unlisted {
		later.folders[f] = true
	}
	for r := range s.complete {
		if inFolders(r, t.unlisted) {
			if later.complete == nil {
				later.complete = map[warehouse.RunRef]bool{}
			}
			later.complete[r] = true
		}
	}
	var done []delivery
	for _, e := range s.events {
		if slices.ContainsFunc(e.folders, func(f string) bool { return later.folders[f] }) {
			later.events = append(later.events, e)
		} else {
			done = append(done, e)
		}
	}
	t.mu.Lock()
	t.pending.merge(later)
	t.mu.Unlock()
	return done
}

// waited logs and counts a backoff wait.
func (t *target) waited(err error, c class, reason string, attempt int, d time.Duration) {
	t.waiting.Store(&c)
	t.d.m.waits.WithLabelValues(t.cfg.Name, reason).Inc()
	t.d.m.waitSeconds.WithLabelValues(t.cfg.Name, reason).Add(d.Seconds())
	msg := "transient error; retrying"
	switch {
	case reason == "lease_held":
		// A daemon that stopped without giving the lease up (killed, or a
		// release that failed) holds it until it expires.
		msg = "another daemon holds the load lease, or held it and stopped without giving it up (then it is free once it expires); waiting"
	case c == busy:
		msg = "warehouse busy (another process holds it); waiting"
	}
	t.log.Warn(msg, "reason", reason, "attempt", attempt, "wait", d.Round(time.Millisecond), "err", err)
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

// viewsRetryEvery is how often an idle daemon tries again the typed views
// that failed for a cause of their own: the user's fix (synctrack views, or
// their object moved away) shows in the gauge and the pages that soon, at
// the cost of one write lock that often.
const viewsRetryEvery = 10 * time.Minute

// viewsAtStart, in the first cycle that writes, adds every loaded sync to
// the views to rebuild: which views an earlier daemon left not rebuilt
// (a refresh that failed, a sync's own cause, a crash between a load's
// commit and its refresh) is known to no table, and a new binary's casts
// reach every view as synctrack views would bring them. One view a sync,
// once a start; a listing that fails is tried again next cycle.
func (t *target) viewsAtStart(ctx context.Context, wh warehouse.Warehouse) {
	if t.viewsListed {
		return
	}
	syncs, err := loader.LoadedSyncs(ctx, wh)
	if err != nil {
		t.log.Warn("could not list the loaded syncs to rebuild their typed views at start; trying again in 10 minutes", "err", err)
		t.viewsListTried = t.d.deps.Now()
		return
	}
	t.viewsListed, t.startViews = true, len(syncs)
	for _, id := range syncs {
		if !slices.Contains(t.views, id) {
			t.views = append(t.views, id)
		}
	}
}

// noteViews keeps what a load's refresh of the typed views left to do. A
// load that stopped before its refresh (or whose refresh failed as a whole)
// leaves the syncs it had in ViewsPending, tried again next cycle, and the
// failed ones as they were: an unrelated failure does not clear them.
func (t *target) noteViews(rep *loader.Report) {
	ran := len(rep.ViewsPending) == 0
	if ran {
		rebuilt := 0
		for _, id := range t.views {
			if rep.ViewErrors[id] == nil {
				rebuilt++
			}
		}
		switch {
		case t.startViews > 0:
			t.log.Info("typed views of every loaded sync rebuilt at start", "syncs", t.startViews, "failed", len(rep.ViewErrors))
			t.startViews = 0
		case rebuilt > 0:
			t.log.Info("typed views rebuilt that an earlier cycle could not", "syncs", rebuilt)
		}
		t.viewsFailed, t.viewsTried = rep.ViewErrors, t.d.deps.Now()
	}
	t.views = rep.ViewsPending
	t.d.m.viewsFailed.WithLabelValues(t.cfg.Name).Set(float64(len(t.viewsFailed)))
}

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

// leaveFacts takes out of p the new fact files that failed in an earlier
// try of this cycle, as loadFactTable would see them had they not been
// read: one loaded before keeps its rows (held, as a quarantined file's
// are), a new one has none; a table left with no new file is not rebuilt
// (found by a review: fact files were tried, and failed, once a try),
// unless a file of it was deleted from the bucket.
func leaveFacts(p *loader.Plan, tried map[string]bool) {
	for table, ws := range p.Facts {
		keep, dirty := ws[:0:0], false
		for _, w := range ws {
			if w.Reason != "" && tried[w.Key] {
				if w.Seen {
					if p.HeldFacts == nil {
						p.HeldFacts = map[string][]string{}
					}
					p.HeldFacts[table] = append(p.HeldFacts[table], w.Key)
				}
				continue
			}
			dirty = dirty || w.Reason != ""
			keep = append(keep, w)
		}
		if dirty || len(p.GoneFacts[table]) > 0 { // a file deleted from the bucket rebuilds it all the same
			p.Facts[table] = keep
		} else {
			delete(p.Facts, table)
		}
	}
}

// freshKeys adds to into the keys of a plan's objects that are new to the
// ledger, or new versions: what a reconciliation finds that no
// notification brought. Kept over a cycle's tries (a try that loaded
// some and failed leaves them loaded for the next).
func freshKeys(p *loader.Plan, into map[string]bool) {
	eachWork(p, func(w loader.Work) {
		if w.Reason == loader.ReasonNew || w.Reason == loader.ReasonChanged {
			into[w.Key] = true
		}
	})
}

// eachWork calls fn with each metadata.json, records and fact file of p,
// in that order.
func eachWork(p *loader.Plan, fn func(loader.Work)) {
	for _, w := range p.Metadata {
		fn(w)
	}
	for _, w := range p.Records {
		fn(w)
	}
	for _, ws := range p.Facts {
		for _, w := range ws {
			fn(w)
		}
	}
}

// workCount is how many objects a plan would write ledger rows for.
func workCount(p *loader.Plan) int {
	n := len(p.Records) + len(p.Metadata) + len(p.Ignored) + len(p.Gone)
	for _, vs := range p.GoneFacts {
		n += len(vs) // deleted from the bucket: their table is rebuilt without them
	}
	for _, ws := range p.Facts {
		for _, w := range ws {
			if w.Reason != "" {
				n++
			}
		}
	}
	return n
}

// observe counts what a finished Apply loaded, and returns the keys and the
// runs it touched.
func (t *target) observe(p *loader.Plan, rep *loader.Report) ([]string, []warehouse.RunRef) {
	return t.observeOnly(p, rep, nil)
}

// observeOnly is observe of the keys in only (all when nil).
func (t *target) observeOnly(p *loader.Plan, rep *loader.Report, only []string) ([]string, []warehouse.RunRef) {
	m, name := t.d.m, t.cfg.Name
	var in map[string]bool
	if only != nil {
		in = make(map[string]bool, len(only))
		for _, k := range only {
			in[k] = true
		}
	}
	failed := map[string]bool{}
	for _, f := range rep.Failed {
		failed[f.Key] = true
		m.failures.WithLabelValues(name, "bad_file").Inc()
	}
	now := t.d.deps.Now()
	var keys []string
	seen := map[warehouse.RunRef]bool{}
	var runs []warehouse.RunRef
	add := func(w loader.Work) {
		if w.Reason == "" || failed[w.Key] || in != nil && !in[w.Key] {
			return
		}
		keys = append(keys, w.Key)
		m.files.WithLabelValues(name, string(w.Kind)).Inc()
		m.lag.WithLabelValues(name).Observe(max(now.Sub(w.ModTime), 0).Seconds())
		if r := (warehouse.RunRef{OrgID: w.OrgID, SyncID: w.SyncID, RunID: w.RunID}); w.RunID != "" && !seen[r] {
			seen[r] = true
			runs = append(runs, r)
		}
	}
	eachWork(p, add)
	m.rows.WithLabelValues(name).Add(float64(rep.Rows))
	sort.Slice(runs, func(i, j int) bool { return runs[i].RunID < runs[j].RunID })
	return keys, runs
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
