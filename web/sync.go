package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

type syncData struct {
	SyncID       string
	Runs         []runSummary
	Next         string // the next page's link; "" on the last
	First        bool   // this is the newest page
	Outcomes     chart
	Fingerprints []fingerprint
	NewErrors    []newError
	Flapping     []flap
	// MoreNew and MoreFlapping say the lists were cut at listLimit: the
	// page says which report has them all.
	MoreNew, MoreFlapping bool
}

// listLimit is how many new errors and flapping records the page lists.
const listLimit = 10

type runSummary struct {
	RunID, State, Href                         string
	Started                                    time.Time
	Files, Total, Succeeded, Rejected, Invalid int64
	Rate                                       float64
}

type fingerprint struct {
	Fingerprint, Example string
	Records, Runs        int64
	FirstSeen, LastSeen  time.Time
	Bar                  float64 // width in per cent of the largest
}

type newError struct {
	Fingerprint, Example string
	Rejected             int64
}

// newErrors picks the fingerprints of the latest run among rows (one per
// run and fingerprint) that no other run has, the most rejected first.
// Every recent run has a row, one without rejections a row with records
// NULL: the latest run may have none, and then nothing is new (as in the
// new_errors template), whatever the runs before it had.
func newErrors(rows []row) []newError {
	latest, latestRun := time.Time{}, ""
	for _, x := range rows {
		t, r := x.time("started_at"), x.str("sync_run_id")
		if t.After(latest) || t.Equal(latest) && r > latestRun {
			latest, latestRun = t, r
		}
	}
	older := map[string]bool{}
	for _, x := range rows {
		if x["records"] != nil && x.str("sync_run_id") != latestRun {
			older[x.str("fingerprint")] = true
		}
	}
	var out []newError
	for _, x := range rows {
		if fp := x.str("fingerprint"); x["records"] != nil && x.str("sync_run_id") == latestRun && !older[fp] {
			out = append(out, newError{Fingerprint: short(fp), Example: short(x.str("example")), Rejected: x.int("records")})
		}
	}
	slices.SortFunc(out, func(a, b newError) int {
		if a.Rejected != b.Rejected {
			return int(b.Rejected - a.Rejected)
		}
		return strings.Compare(a.Fingerprint, b.Fingerprint)
	})
	return out
}

type flap struct {
	Identifier, Outcomes, Href string
	Runs, Changes              int64
}

// recentRuns is how many runs new errors and flapping records look at.
const recentRuns = 5

func (s *Server) syncPage(w http.ResponseWriter, r *http.Request) {
	sync := pathID(r, "sync")
	if err := textIDs(sync); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "sync", func(ctx context.Context, q warehouse.Querier) (view, error) {
		v := analysis.Values{analysis.ParamSync: sync, analysis.ParamLimit: s.o.PageSize + 1}
		before := r.URL.Query().Get("before")
		if before != "" {
			c, err := decodeCursor(before)
			if err != nil || c.T.IsZero() != c.Z {
				// The sync's newest runs, the address without it, when
				// it has any.
				return view{}, nearer(ctx, q, badRequest("before: not a cursor this page made"), sync, "", "", "")
			}
			if !c.Z {
				v[analysis.ParamBefore] = c.T
			}
			v[analysis.ParamBeforeRun] = c.K
		}
		rows, err := query(ctx, q, "sync_runs", v)
		if err != nil {
			return view{}, err
		}
		if len(rows) == 0 && before != "" {
			// Past the last run, or a sync that is not loaded at all.
			rows, err = query(ctx, q, "sync_runs", analysis.Values{analysis.ParamSync: sync, analysis.ParamLimit: 1})
			if err != nil {
				return view{}, err
			}
			if len(rows) > 0 {
				rows = nil
			} else {
				before = ""
			}
		}
		if len(rows) == 0 && before == "" {
			return view{}, notFound("no runs of sync %q are loaded", sync)
		}
		d := syncData{SyncID: sync, First: before == ""}
		if len(rows) > s.o.PageSize {
			rows = rows[:s.o.PageSize]
			last := rows[len(rows)-1]
			// A run without a start is listed after every run with one.
			c := cursor{T: last.time("started_at"), K: last.str("sync_run_id")}
			c.Z = c.T.IsZero()
			d.Next = syncHref(sync) + "?before=" + url.QueryEscape(encodeCursor(c))
		}
		states := runStates(ctx, q, sync, s)
		for _, x := range rows {
			rs := runSummary{RunID: x.str("sync_run_id"), Started: x.time("started_at"), Files: x.int("files"),
				Total: x.int("total"), Succeeded: x.int("succeeded"), Rejected: x.int("rejected"),
				Invalid: x.int("invalid"), Rate: x.float("rejection_rate")}
			rs.State = states[rs.RunID]
			rs.Href = runHref(sync, rs.RunID)
			d.Runs = append(d.Runs, rs)
		}
		d.Outcomes = outcomeChart(d.Runs)
		if err := s.syncErrors(ctx, q, sync, &d); err != nil {
			return view{}, err
		}
		return view{Title: "Sync " + sync, Crumbs: []crumb{{"/", "Syncs"}, {"", "Sync " + sync}}, Data: d}, nil
	})
}

// runStates reads the daemon's run states; a DuckDB file nothing has
// loaded since it got the state columns has none, so a failure leaves the
// states unknown.
func runStates(ctx context.Context, q warehouse.Querier, sync string, s *Server) map[string]string {
	out := map[string]string{}
	rows, err := query(ctx, q, "run_states", analysis.Values{analysis.ParamSync: sync})
	if err != nil {
		s.o.Logger.Debug("no run states", "err", err)
		return out
	}
	for _, x := range rows {
		out[x.str("sync_run_id")] = x.str("state")
	}
	return out
}

func (s *Server) syncErrors(ctx context.Context, q warehouse.Querier, sync string, d *syncData) error {
	fps, err := query(ctx, q, "sync_fingerprints", analysis.Values{analysis.ParamSync: sync, analysis.ParamLimit: 10})
	if err != nil {
		return err
	}
	top := int64(1)
	for _, x := range fps {
		top = max(top, x.int("records"))
	}
	for _, x := range fps {
		d.Fingerprints = append(d.Fingerprints, fingerprint{Fingerprint: short(x.str("fingerprint")), Example: short(x.str("example")),
			Records: x.int("records"), Runs: x.int("runs"), FirstSeen: x.time("first_seen"), LastSeen: x.time("last_seen"),
			Bar: round(float64(x.int("records")) / float64(top) * 100)})
	}
	// New errors: rejection fingerprints of the latest run that the runs
	// before it did not have, from the counts of the latest recentRuns+1.
	recent, err := query(ctx, q, "sync_recent_errors", analysis.Values{analysis.ParamSync: sync, analysis.ParamN: recentRuns + 1})
	if err != nil {
		return err
	}
	d.NewErrors = newErrors(recent)
	if len(d.NewErrors) > listLimit {
		d.NewErrors, d.MoreNew = d.NewErrors[:listLimit], true
	}
	fv := analysis.Values{analysis.ParamSync: sync, analysis.ParamN: recentRuns, analysis.ParamLimit: listLimit + 1}
	if err := rangeFiles(ctx, q, fv); err != nil {
		return err
	}
	flaps, err := query(ctx, q, "sync_flapping", fv)
	if err != nil {
		return err
	}
	if len(flaps) > listLimit {
		flaps, d.MoreFlapping = flaps[:listLimit], true
	}
	for _, x := range flaps {
		id := x.str("record_identifier")
		d.Flapping = append(d.Flapping, flap{Identifier: id, Outcomes: x.str("outcomes"), Runs: x.int("runs"),
			Changes: x.int("changes"), Href: recordHref(id, sync)})
	}
	return nil
}

// outcomeChart stacks each run's outcomes, oldest on the left.
func outcomeChart(runs []runSummary) chart {
	rs := slices.Clone(runs)
	slices.Reverse(rs)
	labels := make([]string, len(rs))
	ok, rej, inv := make([]float64, len(rs)), make([]float64, len(rs)), make([]float64, len(rs))
	for i, x := range rs {
		labels[i] = "run " + x.RunID
		ok[i], rej[i], inv[i] = float64(x.Succeeded), float64(x.Rejected), float64(x.Invalid)
	}
	desc := "No runs."
	if len(rs) > 0 {
		desc = fmt.Sprintf("Records per run by outcome for %d runs, oldest first; the table below has every figure.", len(rs))
	}
	return stacked("Outcomes per run", desc, labels, []series{
		{Class: "success", Name: "success", Values: ok},
		{Class: "invalid", Name: "invalid", Values: inv},
		{Class: "rejected", Name: "rejected", Values: rej},
	}, 720, 120, 1, count)
}
