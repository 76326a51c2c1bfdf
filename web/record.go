package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// historyLimit is how many rows of one record's history a page shows.
const historyLimit = 200

type recordData struct {
	Identifier, SyncID string
	Rows               []historyRow
	More               bool
}

type historyRow struct {
	SyncID, RunID, Outcome, Status, Message, Operation, Payload, RunHref string
	Started                                                              time.Time
}

func (s *Server) recordPage(w http.ResponseWriter, r *http.Request) {
	s.record(w, r, r.PathValue("identifier"))
}

// record is the page of identifier id (in ?sync= when given).
func (s *Server) record(w http.ResponseWriter, r *http.Request, id string) {
	sync := r.URL.Query().Get("sync")
	s.render(w, r, "record", func(ctx context.Context, q warehouse.Querier) (view, error) {
		if !isText(id) || !isText(sync) {
			return view{}, badRequest("an identifier and a sync id are text; this one is not (bytes that are not UTF-8, or a NUL)")
		}
		v := analysis.Values{analysis.ParamIdentifier: id, analysis.ParamLimit: historyLimit + 1}
		if sync != "" {
			v[analysis.ParamSync] = sync
		}
		if err := keyIdentifier(ctx, q, v); err != nil {
			return view{}, err
		}
		if err := rangeFiles(ctx, q, v); err != nil {
			return view{}, err
		}
		rows, err := query(ctx, q, "record_rows", v)
		if err != nil {
			return view{}, err
		}
		if len(rows) == 0 {
			if sync != "" {
				return view{}, notFound("no record %q in sync %q (all syncs: %s)", id, sync, recordHref(id, ""))
			}
			return view{}, notFound("no record %q is loaded", id)
		}
		d := recordData{Identifier: id, SyncID: sync, More: len(rows) > historyLimit}
		if d.More {
			rows = rows[:historyLimit]
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
		s.fail(w, r, err)
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
