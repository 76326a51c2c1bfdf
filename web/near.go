package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// A reader's mistake (a 400 or 404) is a page asked for that is not there
// or not so: its error page links to the nearest that is, so a link cut
// short, edited or outdated still leads somewhere better than the list of
// every sync. The links are the pages' own hrefs (syncHref, runHref,
// filterHref, recordHref), never the address as typed, and only to a page
// that is loaded: a link to another error page helps no one.

// syncLoaded says sync has a run loaded, so its page answers (the sync
// page is not found when it has none).
func syncLoaded(ctx context.Context, wh warehouse.Querier, sync string) bool {
	if sync == "" || !isText(sync) {
		return false
	}
	rows, err := query(ctx, wh, "sync_runs", analysis.Values{analysis.ParamSync: sync, analysis.ParamLimit: 1})
	return err == nil && len(rows) > 0
}

// runLoaded says sync's run run is loaded, so its page answers.
func runLoaded(ctx context.Context, wh warehouse.Querier, sync, run string) bool {
	if run == "" || !isText(sync) || !isText(run) {
		return false
	}
	_, err := runInfoOf(ctx, wh, sync, run)
	return err == nil
}

// recordLoaded says identifier id has a row (in sync, when not ""), so
// its page answers.
func recordLoaded(ctx context.Context, wh warehouse.Querier, id, sync string) bool {
	if id == "" || !isText(id) || !isText(sync) {
		return false
	}
	v := analysis.Values{analysis.ParamIdentifier: id, analysis.ParamLimit: 1}
	if sync != "" {
		v[analysis.ParamSync] = sync
	}
	if keyIdentifier(ctx, wh, v) != nil || rangeFiles(ctx, wh, v) != nil {
		return false
	}
	rows, err := query(ctx, wh, "record_rows", v)
	return err == nil && len(rows) > 0
}

// recordBack is err, a reader's mistake on the page of record id in sync
// ("" for every sync), with a link to the nearest page that is loaded: the
// record's newest rows there, else the record in every sync, else the
// sync's newest runs.
func recordBack(ctx context.Context, wh warehouse.Querier, err error, id, sync string) error {
	switch {
	case recordLoaded(ctx, wh, id, sync):
		return withBack(err, recordHref(id, sync), "Newest rows of record "+id)
	case sync != "" && recordLoaded(ctx, wh, id, ""):
		return withBack(err, recordHref(id, ""), "Record "+id+" in every sync")
	}
	return nearer(ctx, wh, err, sync, "", "", "")
}

// nearer is err, a reader's mistake on a page of sync (of its run run when
// run is not ""), with a link to the nearest page that is loaded: the run's
// page with the filters outcome and q, else the sync's newest runs. None
// when neither is: the error page links to every sync already. A failed
// look-up leaves err as it is: the link is a help, the error the answer.
func nearer(ctx context.Context, wh warehouse.Querier, err error, sync, run, outcome, q string) error {
	switch {
	case runLoaded(ctx, wh, sync, run):
		return withBack(err, filterHref(runHref(sync, run), outcome, q, "", ""), "Run "+run+" of sync "+sync)
	case syncLoaded(ctx, wh, sync):
		return withBack(err, syncHref(sync), "Newest runs of sync "+sync)
	}
	return err
}

// failNear is fail with err given its link by nearer, for a mistake found
// before the page opened the warehouse. A warehouse that does not open
// leaves err unlinked: the reader's mistake is still the answer.
func (s *Server) failNear(w http.ResponseWriter, r *http.Request, err error, sync, run, outcome, q string) {
	if wh, release, oerr := s.o.Open(r.Context()); oerr == nil {
		err = nearer(r.Context(), wh, err, sync, run, outcome, q)
		release()
	}
	s.fail(w, r, err)
}

// keptFilters are ?outcome= and ?q= each as recordFilters takes it, or ""
// where it would not: a link away from a bad filter keeps the good one.
func keptFilters(r *http.Request) (outcome, q string) {
	outcome, q = r.URL.Query().Get("outcome"), r.URL.Query().Get("q")
	if !slices.Contains(dialects.Outcomes, outcome) {
		outcome = ""
	}
	if !isText(q) || searchable(q) != nil {
		q = ""
	}
	return outcome, q
}

// underSync are the sync and run ids (run "" when none) of an escaped
// path's parts /syncs/{sync}[/runs/{run}]/..., read as the pages read
// them; ok is false for any other path, or a part that does not unescape.
func underSync(parts []string) (sync, run string, ok bool) {
	if len(parts) < 3 || parts[0] != "syncs" {
		return "", "", false
	}
	sync, err := url.PathUnescape(parts[1])
	if err != nil {
		return "", "", false
	}
	if len(parts) >= 4 && parts[2] == "runs" {
		if run, err = url.PathUnescape(parts[3]); err != nil {
			return fromSegment(sync), "", true
		}
	}
	return fromSegment(sync), fromSegment(run), true
}
