package web

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// historySize is how many rows of one record's history a page shows,
// unless Options.HistorySize says otherwise.
const historySize = 200

type recordData struct {
	Identifier, SyncID string
	Rows               []historyRow
	// More says older rows follow this page's: Next is their page, and
	// the page also gives the report that lists them all at once.
	More             bool
	Next, NewestHref string
	First            bool // this is the newest page
}

type historyRow struct {
	SyncID, RunID, Outcome, Status, Message, Operation, Payload, RunHref string
	Started                                                              time.Time
}

func (s *Server) recordPage(w http.ResponseWriter, r *http.Request) {
	s.record(w, r, r.PathValue("identifier"))
}

// record is the page of identifier id (in ?sync= when given), from the
// row after ?before= when given.
func (s *Server) record(w http.ResponseWriter, r *http.Request, id string) {
	sync, before := r.URL.Query().Get("sync"), r.URL.Query().Get("before")
	s.render(w, r, "record", func(ctx context.Context, q warehouse.Querier) (view, error) {
		if !isText(id) || !isText(sync) {
			// The one that is text may still have a page.
			return view{}, recordBack(ctx, q, badRequest("an identifier and a sync id are text; this one is not (bytes that are not UTF-8, or a NUL)"), id, sync)
		}
		after, err := historyCursor(before)
		if err != nil {
			// A link cut short or edited: the record's newest rows, the
			// address without it, are still a page to go to (when the
			// record has any there: else the nearest page that does).
			return view{}, recordBack(ctx, q, err, id, sync)
		}
		v := analysis.Values{analysis.ParamIdentifier: id, analysis.ParamLimit: s.o.HistorySize + 1}
		if sync != "" {
			v[analysis.ParamSync] = sync
		}
		if err := keyIdentifier(ctx, q, v); err != nil {
			return view{}, err
		}
		if err := rangeFiles(ctx, q, v); err != nil {
			return view{}, err
		}
		newest := maps.Clone(v)
		maps.Copy(v, after)
		rows, err := query(ctx, q, "record_rows", v)
		if err != nil {
			return view{}, err
		}
		found := len(rows) > 0
		if !found && after != nil {
			// Past the last row (retention may have dropped it since the
			// link was made): the record's page still, if it has a row.
			newest[analysis.ParamLimit] = 1
			kept, err := query(ctx, q, "record_rows", newest)
			if err != nil {
				return view{}, err
			}
			found = len(kept) > 0
		}
		if !found {
			if sync != "" {
				// The record in every sync when another has it, else the
				// sync's page: a link, not an address to copy.
				return view{}, recordBack(ctx, q, notFound("no record %q in sync %q", id, sync), id, sync)
			}
			return view{}, notFound("no record %q is loaded", id)
		}
		d := recordData{Identifier: id, SyncID: sync, More: len(rows) > s.o.HistorySize, First: after == nil, NewestHref: recordHref(id, sync)}
		if d.More {
			rows = rows[:s.o.HistorySize]
			d.Next = historyHref(id, sync, historyEnd(rows[len(rows)-1]))
		}
		for _, x := range rows {
			h := historyRow{SyncID: x.str("sync_id"), RunID: x.str("sync_run_id"), Outcome: outcomeOf(x["status"]), Status: x.str("status"),
				Message: short(x.str("status_message")), Operation: x.str("operation"), Payload: pretty(x["record_payload"]),
				Started: x.time("batch_started_at")}
			h.RunHref = filterHref(runHref(h.SyncID, h.RunID), "", id, "", "")
			d.Rows = append(d.Rows, h)
		}
		crumbs := []crumb{{"/", "Syncs"}}
		if sync != "" {
			crumbs = append(crumbs, crumb{syncHref(sync), "Sync " + sync})
		}
		crumbs = append(crumbs, crumb{"", "Record " + id})
		return view{Title: "Record " + id, Crumbs: crumbs, Data: d}, nil
	})
}

// historyEnd is the cursor after a record_rows row: its start (Z when it
// has none: those rows come last), run, file and row. The file and row
// make the order total; start and run tie across a file's rows.
func historyEnd(x row) cursor {
	return cursor{T: x.time("batch_started_at"), Z: x["batch_started_at"] == nil, K: x.str("sync_run_id"),
		F: x.str("_file"), N: int(x.int("_row"))}
}

// historyCursor is ?before= as record_rows takes it; none when "". A
// cursor without a file, or with both a start and none, no page made.
func historyCursor(before string) (analysis.Values, error) {
	if before == "" {
		return nil, nil
	}
	c, err := decodeCursor(before)
	if err != nil || c.F == "" || c.N < 0 || c.Z && !c.T.IsZero() {
		return nil, badRequest("before: not a cursor this page made")
	}
	v := analysis.Values{analysis.ParamBeforeRun: c.K, analysis.ParamAfterFile: c.F, analysis.ParamAfterRow: c.N}
	if !c.Z {
		v[analysis.ParamBefore] = c.T
	}
	return v, nil
}

// historyHref is the record's page from the row after c.
func historyHref(id, sync string, c cursor) string {
	h, sep := recordHref(id, sync), "?"
	if strings.Contains(h, "?") {
		sep = "&" // the search's address (an identifier "." or "..") or ?sync=
	}
	return h + sep + "before=" + url.QueryEscape(encodeCursor(c))
}

// recordSearch is the header's search form: a form cannot put a value in
// a path without a script, so it lands here and is sent on to
// /records/{identifier}; an identifier "." or ".." has its page here.
func (s *Server) recordSearch(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("q")
	if strings.TrimSpace(id) == "" {
		// An empty search box sent: back to where it searches from.
		to := "/"
		if sync := r.URL.Query().Get("sync"); sync != "" {
			to = syncHref(sync)
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	if err := searchable(id); err != nil {
		// Back to the sync it searched from, as an empty search goes.
		s.failNear(w, r, err, r.URL.Query().Get("sync"), "", "", "")
		return
	}
	if dotSegment(id) {
		s.record(w, r, id) // no path a browser keeps names it
		return
	}
	http.Redirect(w, r, recordHref(id, r.URL.Query().Get("sync")), http.StatusSeeOther)
}

// downloadName is a file name of the ids' safe bytes only: they are data,
// and a header is no place for quotes or newlines.
func downloadName(sync, run, outcome, format string) string {
	name := "records-" + sync + "-" + run
	if outcome != "" {
		name += "-" + outcome
	}
	clean := strings.Map(func(r rune) rune {
		if r < 128 && (r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, name)
	return clean + "." + format
}
