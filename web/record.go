package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/synctrack/synctrack/internal/reportrun"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/sql/export"
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
	id, sync := r.PathValue("identifier"), r.URL.Query().Get("sync")
	s.render(w, r, "record", func(ctx context.Context, q warehouse.Querier) (view, error) {
		if !utf8.ValidString(id) || !utf8.ValidString(sync) {
			return view{}, badRequest("an identifier and a sync id are text; this one is not valid UTF-8")
		}
		v := analysis.Values{analysis.ParamIdentifier: id, analysis.ParamLimit: historyLimit + 1}
		if sync != "" {
			v[analysis.ParamSync] = sync
		}
		if err := keyIdentifier(ctx, q, v); err != nil {
			return view{}, err
		}
		rows, err := query(ctx, q, "record_rows", v)
		if err != nil {
			return view{}, err
		}
		if len(rows) == 0 {
			return view{}, notFound("no record %q is loaded", id)
		}
		d := recordData{Identifier: id, SyncID: sync, More: len(rows) > historyLimit}
		if d.More {
			rows = rows[:historyLimit]
		}
		for _, x := range rows {
			h := historyRow{SyncID: x.str("sync_id"), RunID: x.str("sync_run_id"), Outcome: outcomeOf(x["status"]), Status: x.str("status"),
				Message: x.str("status_message"), Operation: x.str("operation"), Payload: pretty(x["record_payload"]),
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
// /records/{identifier}.
func (s *Server) recordSearch(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSpace(r.URL.Query().Get("q"))
	if id == "" {
		s.fail(w, r, badRequest("search: give an identifier"))
		return
	}
	http.Redirect(w, r, recordHref(id, r.URL.Query().Get("sync")), http.StatusSeeOther)
}

// contentTypes are the downloads' formats.
var contentTypes = map[string]string{
	"csv":     "text/csv; charset=utf-8",
	"json":    "application/json",
	"parquet": "application/vnd.apache.parquet",
}

// download streams a run's records with the page's filters, through the
// records template and writer that synctrack records uses, so the file is
// what `synctrack records --sync S --run R [--status O] [--identifier Q]
// --limit 0 --format F` prints.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	sync, run, file := r.PathValue("sync"), r.PathValue("run"), r.PathValue("file")
	format, ok := strings.CutPrefix(file, "records.")
	if _, known := contentTypes[format]; !ok || !known {
		s.fail(w, r, notFound("no download %q: records.csv, records.json or records.parquet", file))
		return
	}
	outcome, q, err := recordFilters(r)
	if err == nil {
		err = textIDs(sync, run)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	wh, release, err := s.o.Open(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer release()
	// A run that is not loaded is not found, as its page says, rather than
	// an empty file.
	if _, err := runInfoOf(r.Context(), wh, sync, run); err != nil {
		s.fail(w, r, err)
		return
	}
	v := analysis.Values{analysis.ParamSync: sync, analysis.ParamRun: run}
	setFilters(v, outcome, q)
	w.Header().Set("Content-Type", contentTypes[format])
	w.Header().Set("Content-Disposition", `attachment; filename="`+downloadName(sync, run, outcome, format)+`"`)
	out := &countingWriter{w: w}
	ew, err := export.New(format, out)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := reportrun.Run(r.Context(), wh, "records", v, ew); err != nil {
		if out.n == 0 {
			w.Header().Del("Content-Disposition")
			s.fail(w, r, err)
			return
		}
		// Once bytes are out the status is sent: the cut-off file and the
		// log say it failed.
		s.o.Logger.Error("download failed", "path", r.URL.Path, "err", err)
	}
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
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
