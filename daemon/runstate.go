package daemon

import (
	"context"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// runStates reopens the runs that got files, completes those a webhook named,
// and, when due, completes runs that have been quiet for the quiet period.
// failed are the objects the cycle's load failed.
func (t *target) runStates(ctx context.Context, rs warehouse.RunStates, touched []warehouse.RunRef, s scope, failed []loader.Failure) error {
	m, name := t.d.m, t.cfg.Name
	now := t.d.deps.Now()
	if len(touched) > 0 {
		if err := t.reopenRuns(ctx, rs, touched); err != nil {
			return err
		}
	}
	if len(s.complete) > 0 {
		refs := make([]warehouse.RunRef, 0, len(s.complete))
		for r := range s.complete {
			refs = append(refs, r)
		}
		sort.Slice(refs, func(i, j int) bool { return refs[i].RunID < refs[j].RunID })
		m.queries.WithLabelValues(name, "run_state").Inc()
		n, err := rs.CompleteRuns(ctx, refs, now)
		if err != nil {
			return err
		}
		m.runs.WithLabelValues(name, "completed_webhook").Add(float64(n))
		// CompleteRuns counts the runs it changed but does not name them, so a
		// run is logged complete only when every named run was; a duplicate
		// delivery or an unknown run changes nothing and is not news.
		for _, r := range refs {
			if int(n) == len(refs) {
				t.log.Info("run complete (sync.completed)", "run", r.RunID, "sync", r.SyncID, "org", r.OrgID)
			} else {
				t.log.Debug("run named by sync.completed", "run", r.RunID, "sync", r.SyncID, "org", r.OrgID, "completed", n)
			}
		}
		if int(n) < len(refs) {
			t.sayNotCompleted(refs, n, failed)
		}
	}
	if t.sweepDue(now) {
		m.queries.WithLabelValues(name, "run_state").Inc()
		done, open, err := rs.CompleteQuietRuns(ctx, now.Add(-t.cfg.QuietPeriod), now)
		if err != nil {
			return err
		}
		t.openRuns, t.lastSweep = open, now
		m.openRuns.WithLabelValues(name).Set(float64(open))
		if done > 0 {
			m.runs.WithLabelValues(name, "completed_quiet").Add(float64(done))
			t.log.Info("runs complete after the quiet period", "runs", done, "quiet_period", t.cfg.QuietPeriod, "still_open", open)
		}
	}
	return nil
}

// reopenRuns marks open again the complete runs that files were loaded into.
func (t *target) reopenRuns(ctx context.Context, rs warehouse.RunStates, runs []warehouse.RunRef) error {
	t.d.m.queries.WithLabelValues(t.cfg.Name, "run_state").Inc()
	n, err := rs.ReopenRuns(ctx, runs)
	if err != nil {
		return err
	}
	if n > 0 {
		t.d.m.runs.WithLabelValues(t.cfg.Name, "reopened").Add(float64(n))
		t.log.Info("late files reopened complete runs", "runs", n)
	}
	t.openRuns = -1
	return nil
}

// sayNotCompleted says why some of refs, the runs a sync.completed named,
// were not made complete (n were), from what the cycle's listing had of
// them (t.named). State lives in sync_runs, whose row comes from
// metadata.json: a run listed without one (or whose metadata.json failed,
// in this try or an earlier one of the cycle) gets its state when it
// loads, and that is said at INFO. One whose metadata.json is in
// quarantine gets none until a person puts it back (synctrack retry): it
// was said "complete already" at DEBUG, the completion lost unsaid (found
// by a review); it is a WARN naming the file. A run whose metadata.json is
// listed and did not fail was complete already: the sender's retry of a
// delivery, which said this at INFO too, read by operators as news (found
// by an operator audit). Nor is a run with nothing in this bucket news:
// every target is handed every sync.completed, and the other targets said
// it for each delivery (another audit). Both at DEBUG.
func (t *target) sayNotCompleted(refs []warehouse.RunRef, n int64, failed []loader.Failure) {
	var loaded, waiting int
	var held []string
	for _, r := range refs {
		seen := t.named[r]
		key := loader.RunsPrefix + r.OrgID + "/" + r.SyncID + "/" + r.RunID + "/metadata.json"
		switch {
		case seen == namedHeld:
			held = append(held, key)
		case seen == namedMeta && !t.tried[key] && !slices.ContainsFunc(failed, func(f loader.Failure) bool { return f.Key == key }):
			loaded++
		case seen != 0:
			waiting++
		}
	}
	if waiting > 0 {
		t.log.Info("some runs named by sync.completed have no metadata.json loaded yet; "+
			"a run without one gets its state when it loads, open, and the quiet period completes it",
			"named", len(refs), "without_metadata", waiting, "completed", n)
	}
	if len(held) > 0 {
		// Once an hour per set of files at WARN, the sender's retries at
		// DEBUG: each delivery said it again (found by a review).
		level := slog.LevelDebug
		if due, _ := t.heldSaid.Due(strings.Join(held, "\n"), t.d.deps.Now(), time.Hour); due {
			level = slog.LevelWarn
		}
		t.log.Log(context.Background(), level, "runs named by sync.completed have their metadata.json in quarantine: a run gets no state from it "+
			"(one never loaded has none, and this completion is lost) until it loads; synctrack status says why it failed: "+
			"fix or replace the file, then synctrack retry (the quiet period completes the run)",
			"metadata", held, "named", len(refs), "completed", n)
	}
	if again := loaded - int(n); again > 0 {
		t.log.Debug("runs named by sync.completed were complete already (a repeated delivery)", "runs", again)
	}
	if elsewhere := len(refs) - loaded - waiting - len(held); elsewhere > 0 {
		t.log.Debug("runs named by sync.completed have nothing in this bucket (another target's runs)", "runs", elsewhere)
	}
}

// namedSeen is what a cycle's listing had of a run a sync.completed
// named (t.named): objects, its metadata.json, or that in quarantine.
type namedSeen uint8

const (
	namedFiles namedSeen = iota + 1
	namedMeta
	namedHeld
)

// namedListing is list noting in t.named each run of named that it lists
// an object of, namedMeta once one is the run's metadata.json: what tells a
// repeated delivery from a run whose metadata.json has not come, without a
// query (sayNotCompleted).
func (t *target) namedListing(list listFunc, named map[warehouse.RunRef]bool) listFunc {
	return func(ctx context.Context, fn func(loader.Object) error) error {
		return list(ctx, func(o loader.Object) error {
			if r := (warehouse.RunRef{OrgID: o.OrgID, SyncID: o.SyncID, RunID: o.RunID}); o.RunID != "" && named[r] {
				seen := namedFiles
				if o.Kind == loader.KindMetadata {
					seen = namedMeta
				}
				t.named[r] = max(t.named[r], seen)
			}
			return fn(o)
		})
	}
}

// namedHeld marks in t.named the named runs whose metadata.json the plan
// found in quarantine.
func (t *target) namedHeld(p *loader.Plan) {
	for _, k := range p.QuarantinedMetadata {
		o := loader.Classify(k)
		if r := (warehouse.RunRef{OrgID: o.OrgID, SyncID: o.SyncID, RunID: o.RunID}); t.named[r] != 0 {
			t.named[r] = namedHeld
		}
	}
}
