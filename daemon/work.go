package daemon

import (
	"sort"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

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
