package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// trendDays is how far back the home page's charts look.
const trendDays = 30

type homeData struct {
	Syncs   []syncSummary
	Health  health
	Days    int
	Through time.Time
	Limit   int // syncs shown at most; the page says so when it is reached
}

// homeSyncs is how many syncs the home page lists, latest run first.
const homeSyncs = 500

type syncSummary struct {
	OrgID, SyncID, RunID, Source, Destination string
	Started                                   time.Time
	Total, Succeeded, Rejected, Invalid, Runs int64
	Rate                                      float64
	Href, RunHref                             string
	RateChart, RunsChart                      chart
}

type health struct {
	Pending                      *Pending
	PendingErr                   string
	Checked                      *Checked
	Watched                      bool // a daemon serves the page (Options.Checked)
	LastLoad                     time.Time
	Loaded, Failed, Quarantined  int64
	Skipped, LoadedRows, Objects int64
	Problems                     []problem
	ByKind                       []row
	// StaleViews are the syncs whose typed views the daemon's last load
	// could not rebuild (Checked.Views), by sync.
	StaleViews []staleView
}

type staleView struct{ Sync, Href, Reason string }

type problem struct {
	Key, Status, Reason string
	Attempts            int64
	FirstSeen           time.Time
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	var list PendingList // the bucket's listing, run once the warehouse is let go
	listed := func(ctx context.Context, v *view) {
		if list == nil {
			return
		}
		d := v.Data.(homeData)
		// The bucket is another service: its failure is shown, not the page's.
		if p, err := list(ctx); err != nil {
			d.Health.PendingErr = err.Error()
		} else {
			d.Health.Pending = &p
		}
		v.Data = d
	}
	s.renderThen(w, r, "home", func(ctx context.Context, q warehouse.Querier) (view, error) {
		syncs, err := query(ctx, q, "home_syncs", analysis.Values{analysis.ParamLimit: homeSyncs})
		if err != nil {
			return view{}, err
		}
		// The charts end on the day of the latest run: today on a warehouse
		// kept current, the last day with data on an old one.
		end := s.o.Now().UTC()
		if len(syncs) > 0 {
			if t := syncs[0].time("started_at"); !t.IsZero() && t.Before(end) {
				end = t
			}
		}
		first := end.Truncate(24*time.Hour).AddDate(0, 0, 1-trendDays)
		trend, err := query(ctx, q, "home_trend", analysis.Values{analysis.ParamSince: first})
		if err != nil {
			return view{}, err
		}
		h, err := loadHealth(ctx, q)
		if err != nil {
			return view{}, err
		}
		if s.o.Pending != nil {
			if l, err := s.o.Pending(ctx, q); err != nil {
				h.PendingErr = err.Error()
			} else {
				list = l
			}
		}
		if s.o.Checked != nil {
			h.Watched = true
			if c, ok := s.o.Checked(); ok {
				c.Err = short(c.Err)
				h.Checked = &c
				for id, why := range c.Views {
					h.StaleViews = append(h.StaleViews, staleView{Sync: id, Href: syncHref(id), Reason: short(why)})
				}
				sort.Slice(h.StaleViews, func(i, j int) bool { return h.StaleViews[i].Sync < h.StaleViews[j].Sync })
			}
		}
		d := homeData{Health: h, Days: trendDays, Through: end}
		if len(syncs) == homeSyncs {
			d.Limit = homeSyncs
		}
		days := make([]string, trendDays)
		for i := range days {
			days[i] = first.AddDate(0, 0, i).Format("2006-01-02")
		}
		bySync := map[[2]string][]row{} // the trend rows of each sync, grouped once
		for _, t := range trend {
			k := [2]string{t.str("org_id"), t.str("sync_id")}
			bySync[k] = append(bySync[k], t)
		}
		for _, x := range syncs {
			ss := syncSummary{OrgID: x.str("org_id"), SyncID: x.str("sync_id"), RunID: x.str("sync_run_id"),
				Source: x.str("source_type"), Destination: firstOf(x.str("destination_name"), x.str("destination_type")),
				Started: x.time("started_at"), Total: x.int("total"), Succeeded: x.int("succeeded"),
				Rejected: x.int("rejected"), Invalid: x.int("invalid"), Runs: x.int("runs"), Rate: x.float("rejection_rate")}
			ss.Href = syncHref(ss.SyncID)
			ss.RunHref = runHref(ss.SyncID, ss.RunID)
			ss.RateChart, ss.RunsChart = sparklines(days, bySync[[2]string{ss.OrgID, ss.SyncID}])
			d.Syncs = append(d.Syncs, ss)
		}
		return view{Title: "Syncs", Crumbs: []crumb{{"", "Syncs"}}, Data: d}, nil
	}, listed)
}

// sparklines draws a sync's daily rejection rate and runs per day from its
// trend rows.
func sparklines(days []string, trend []row) (chart, chart) {
	slot := map[string]int{}
	for i, d := range days {
		slot[d] = i
	}
	rates := make([]float64, len(days))
	runs := make([]float64, len(days))
	for _, t := range trend {
		i, ok := slot[t.day("day")]
		if !ok {
			continue
		}
		runs[i] = float64(t.int("runs"))
		if total := t.int("total"); total > 0 {
			rates[i] = float64(t.int("rejected")) / float64(total)
		}
	}
	worst, worstDay, sum := 0.0, "", 0.0
	for i, v := range rates {
		if v > worst {
			worst, worstDay = v, days[i]
		}
		sum += runs[i]
	}
	rateDesc := fmt.Sprintf("Rejection rate per day from %s to %s; highest %s", days[0], days[len(days)-1], percent(worst))
	if worstDay != "" {
		rateDesc += " on " + worstDay
	}
	rc := stacked("Rejection rate per day", rateDesc, days, []series{{Class: "rejected", Values: rates}}, 150, 28, 0.0001, percent)
	uc := stacked("Runs per day", fmt.Sprintf("%s from %s to %s", runsText(int64(sum)), days[0], days[len(days)-1]),
		days, []series{{Class: "runs", Values: runs}}, 150, 28, 1, count)
	return rc, uc
}

func loadHealth(ctx context.Context, q warehouse.Querier) (health, error) {
	var h health
	sum, err := query(ctx, q, "health_summary", nil)
	if err != nil {
		return h, err
	}
	for _, x := range sum {
		n := x.int("objects")
		h.Objects += n
		switch x.str("status") {
		case warehouse.StatusLoaded:
			h.Loaded += n
			if x.str("kind") == string(warehouse.KindRecords) {
				h.LoadedRows += x.int("loaded_rows") // records, as status counts them; not metadata or fact rows
			}
		case warehouse.StatusFailed:
			h.Failed += n
		case warehouse.StatusQuarantined:
			h.Quarantined += n
		case warehouse.StatusSkipped:
			h.Skipped += n
		}
		if t := x.time("last_loaded_at"); t.After(h.LastLoad) {
			h.LastLoad = t
		}
	}
	h.ByKind = sum
	probs, err := query(ctx, q, "health_problems", analysis.Values{analysis.ParamLimit: 50})
	if err != nil {
		return h, err
	}
	for _, x := range probs {
		h.Problems = append(h.Problems, problem{Key: short(x.str("object_key")), Status: x.str("status"), Reason: short(x.str("reason")),
			Attempts: x.int("attempts"), FirstSeen: x.time("first_seen_at")})
	}
	return h, nil
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// Links: ids are path segments, escaped; html/template escapes the rest.
func syncHref(sync string) string { return "/syncs/" + segment(sync) }

func runHref(sync, run string) string { return syncHref(sync) + "/runs/" + segment(run) }

func recordHref(id, sync string) string {
	if id == "" {
		return "" // no path names it: shown unlinked
	}
	if dotSegment(id) {
		// No path names it in a browser: the search's address does, and
		// answers with the record's page.
		p := url.Values{"q": {id}}
		if sync != "" {
			p.Set("sync", sync)
		}
		return "/records?" + p.Encode()
	}
	h := "/records/" + url.PathEscape(id) // an identifier's path is as written
	if sync != "" {
		h += "?sync=" + url.QueryEscape(sync)
	}
	return h
}

// dotSegment says v is "." or "..": as a path segment a browser reads it
// as the path's own dots, escaped or not (the URL standard takes %2E for
// a dot there), so /records/%2E%2E opened the home page (found by an audit
// in chromium; Go's client and the mux keep it).
func dotSegment(v string) bool { return v == "." || v == ".." }

// segment is a sync or run id as one path segment: escaped, and an id of
// dots only with two dots more, so that no link is "." or "..", which a
// browser reads as the path's own dots whether escaped or not (see
// dotSegment): ".." is "....", "..." is ".....". pathID reads it back.
func segment(v string) string {
	if allDots(v) {
		return v + ".."
	}
	return url.PathEscape(v)
}

// pathID is the sync or run id named by the request's path value name:
// the segment as written, or, of three dots or more, two dots fewer (see
// segment). "." and ".." stay themselves, as a client that keeps them
// (Go's, curl's) asks for them escaped.
func pathID(r *http.Request, name string) string { return fromSegment(r.PathValue(name)) }

// fromSegment is the id an unescaped path segment v names (see pathID).
func fromSegment(v string) string {
	if len(v) >= 3 && allDots(v) {
		return v[2:]
	}
	return v
}

func allDots(v string) bool { return v != "" && strings.Trim(v, ".") == "" }
