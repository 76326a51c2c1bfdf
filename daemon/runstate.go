package daemon

import (
	"context"
	"sort"

	"github.com/synctrack/synctrack/warehouse"
)

// runStates reopens the runs that got files, completes those a webhook named,
// and, when due, completes runs that have been quiet for the quiet period.
// listed is how many objects the cycle listed.
func (t *target) runStates(ctx context.Context, rs warehouse.RunStates, touched []warehouse.RunRef, s scope, listed int) error {
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
			// State lives in sync_runs, whose row comes from metadata.json.
			// Every target is handed every sync.completed: one whose
			// listing of the named folders found nothing has none of
			// these runs in its bucket, and said this at INFO for each
			// delivery, on each target but the run's own (found by an
			// operator audit of a config with several targets).
			log := t.log.Info
			if listed == 0 {
				log = t.log.Debug
			}
			log("some runs named by sync.completed were complete already or have no metadata.json loaded yet; "+
				"a run without one gets its state when it loads, open, and the quiet period completes it",
				"named", len(refs), "completed", n)
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
