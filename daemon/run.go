package daemon

import (
	"context"
	"errors"
	"runtime/debug"
	"slices"
	"time"

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
		t.onFailure(s, c, now)
	} else {
		t.onSuccess(s, c)
	}
	t.noteLast(c, now)
	// Hand the cycle's garbage (listing pages, the plan) back to the OS
	// now: a daemon spends most of its life between cycles, and the runtime
	// would otherwise keep the peak resident for minutes. It costs one
	// collection of a heap that is nearly all garbage.
	debug.FreeOSMemory()
	if t.d.deps.OnCycle != nil {
		t.d.deps.OnCycle(c)
	}
}

// onFailure logs and counts a cycle that ended in c.Err and keeps its
// work for the next tick; a cycle stopped by a shutdown gives its messages
// back instead.
func (t *target) onFailure(s scope, c Cycle, now time.Time) {
	m, name := t.d.m, t.cfg.Name
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
	t.landed(nil)
}

// onSuccess says a recovery, acknowledges the cycle's messages (keeping
// the folders it could not list) and counts what a reconciliation found.
func (t *target) onSuccess(s scope, c Cycle) {
	m, name := t.d.m, t.cfg.Name
	if t.failedRow > 0 {
		// An idle cycle that succeeds logs nothing: without this the
		// log showed a failure each tick, then silence, and the
		// reader could not tell recovered from stuck.
		t.log.Info("cycle succeeded again", "scope", s.why, "failed_cycles", t.failedRow,
			"failing_since", t.failedAt.UTC().Format(time.RFC3339))
		t.failedRow = 0
	}
	done := t.keepUnlisted(s)
	t.settle(done)
	t.landed(done)
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

// noteLast keeps how the cycle ended, for the web pages and the
// last-success gauge.
func (t *target) noteLast(c Cycle, now time.Time) {
	m, name := t.d.m, t.cfg.Name
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
