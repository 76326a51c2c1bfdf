package daemon

import (
	"context"
	"slices"
	"time"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

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
