package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/synctrack/synctrack/warehouse"
)

// crumb is one step of the breadcrumb; the last has no link.
type crumb struct{ Href, Text string }

// view is what every page template gets: its own data in Data.
type view struct {
	Title  string
	Crumbs []crumb
	Data   any
}

// httpError is a page that cannot be shown for a reason the reader can fix.
type httpError struct {
	Status int
	Msg    string
	// Back, when it has an Href, is a page the reader can go to instead
	// (the record's newest rows for a cursor that is not one), linked on
	// the error page before the link to every sync.
	Back crumb
}

// errorData is what the error page shows.
type errorData struct {
	Msg  string
	Back crumb
}

// withBack is err with a link to href, text, on its page when it is a
// reader's mistake; other errors as they are.
func withBack(err error, href, text string) error {
	var he *httpError
	if href == "" || !errors.As(err, &he) {
		return err
	}
	c := *he
	c.Back = crumb{href, text}
	return &c
}

func (e *httpError) Error() string { return e.Msg }

func notFound(format string, a ...any) error {
	return &httpError{Status: http.StatusNotFound, Msg: fmt.Sprintf(format, a...)}
}

func badRequest(format string, a ...any) error {
	return &httpError{Status: http.StatusBadRequest, Msg: fmt.Sprintf(format, a...)}
}

// render opens the warehouse, builds the page's view and writes it whole
// (a failed query shows the error page, not half a table). The time spent
// is in the Server-Timing header, the whole (page) and its parts (open,
// query, close, render): what the benchmark reads.
func (s *Server) render(w http.ResponseWriter, r *http.Request, page string, build func(ctx context.Context, q warehouse.Querier) (view, error)) {
	s.renderThen(w, r, page, build, nil)
}

// renderThen is render with then run on the built view once the warehouse
// is let go (the home page lists the bucket there), timed as "then".
func (s *Server) renderThen(w http.ResponseWriter, r *http.Request, page string,
	build func(ctx context.Context, q warehouse.Querier) (view, error), then func(ctx context.Context, v *view)) {
	var t timing
	v, err := s.withWarehouse(r.Context(), &t, build)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if then != nil {
		then(r.Context(), &v)
		t.mark("then")
	}
	var b bytes.Buffer
	if err := s.tmpl[page].Execute(&b, v); err != nil {
		s.fail(w, r, err)
		return
	}
	out := showBidi(b.Bytes())
	t.mark("render")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Server-Timing", t.header())
	send(w, out)
}

// send writes a built page with writeStall to reach the client, as a
// download's each write: a client that asked for a page (50 records of
// payloads up to 64 KiB each) and never read it held the page, its
// goroutine and its connection for ever (found by a review).
func send(w http.ResponseWriter, page []byte) {
	guarded, done := stallGuard(w)
	defer done()
	_, _ = guarded.Write(page)
}

// bidiControls are the bidirectional controls: in a value, one reorders
// what follows it, so "\u202egnp.exe" read "exe.png" on the page. Escaping
// keeps a value from being markup, not from being read so.
var bidiControls = []rune{0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}

// bidiShown writes each as text ([U+202E]).
var bidiShown = func() *strings.Replacer {
	var shown []string
	for _, r := range bidiControls {
		shown = append(shown, string(r), fmt.Sprintf("[U+%04X]", r))
	}
	return strings.NewReplacer(shown...)
}()

// showBidi is a rendered page with its bidirectional controls shown as text
// (the templates hold none: they came from the data), but in a form's
// value="...": a search box holds what it searches for, and searched again
// as shown it found nothing (a review); what a control does in a box stays
// in the box. A page without any, nearly every one, is not copied.
func showBidi(page []byte) []byte {
	if !bytes.ContainsAny(page, string(bidiControls)) {
		return page
	}
	const attr = `value="` // html/template writes a value's " as &#34;
	var out strings.Builder
	for {
		i := bytes.Index(page, []byte(attr))
		if i < 0 {
			_, _ = bidiShown.WriteString(&out, string(page))
			return []byte(out.String())
		}
		i += len(attr)
		_, _ = bidiShown.WriteString(&out, string(page[:i]))
		j := bytes.IndexByte(page[i:], '"')
		if j < 0 {
			j = len(page) - i
		}
		out.Write(page[i : i+j])
		page = page[i+j:]
	}
}

func (s *Server) withWarehouse(ctx context.Context, t *timing, build func(ctx context.Context, q warehouse.Querier) (view, error)) (view, error) {
	t.start()
	q, release, err := s.o.Open(ctx)
	if err != nil {
		return view{}, err
	}
	t.mark("open")
	defer func() { release(); t.mark("close") }()
	v, err := build(ctx, q)
	t.mark("query")
	return v, err
}

// timing is a page's time by part, for the Server-Timing header.
type timing struct {
	begin, last time.Time
	parts       []string
}

func (t *timing) start() { t.begin = time.Now(); t.last = t.begin }

// mark ends the part named name.
func (t *timing) mark(name string) {
	now := time.Now()
	t.parts = append(t.parts, fmt.Sprintf("%s;dur=%.1f", name, ms(now.Sub(t.last))))
	t.last = now
}

// header is the whole first ("page;dur=..."), then the parts.
func (t *timing) header() string {
	return strings.Join(append([]string{fmt.Sprintf("page;dur=%.1f", ms(t.last.Sub(t.begin)))}, t.parts...), ", ")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// fail shows the error page: the reader's mistake as 400 or 404, the
// warehouse being busy or away as 503, anything else as 500. The error
// text is data too (it may quote a value), so the template escapes it.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	msg := err.Error()
	var back crumb
	var he *httpError
	switch {
	case errors.As(err, &he):
		status, back = he.Status, he.Back
	case missingCounts(err):
		// Not a failure of the pages: the warehouse is not ready for them.
		status, msg = http.StatusServiceUnavailable, hintMissingCounts
		s.o.Logger.Warn("web page: the warehouse has no per-run counts views", "path", r.URL.Path, "err", err)
	case reasonOf(err) == "no_database":
		// The embedded engine's file is not there: not made yet (the
		// daemon's pages before its first load), or moved or deleted; or a
		// server's database dropped. "Busy, try again in a moment" said
		// nothing of it (found by a review).
		status, msg = http.StatusServiceUnavailable, "The warehouse's database is not there: not made yet (the embedded engine's first load makes its file), "+
			"or moved, deleted or dropped since the pages started. They answer again once it is back."
		w.Header().Set("Retry-After", "10")
		s.o.Logger.Warn("web page: the warehouse's database is not there", "path", r.URL.Path, "err", err)
	case warehouse.ClassOf(err) == warehouse.Transient || warehouse.ClassOf(err) == warehouse.Resource:
		// Busy (a load holds the embedded file) or away: the engine's words
		// (a lock's file and process) go to the log, a retry to the reader.
		status, msg = http.StatusServiceUnavailable, "The warehouse is busy or unreachable (a load may be writing it). Try again in a moment."
		w.Header().Set("Retry-After", "2")
		s.o.Logger.Warn("web page: warehouse unavailable", "path", r.URL.Path, "err", err)
	case errors.Is(err, context.Canceled):
		return
	}
	if status == http.StatusInternalServerError {
		s.o.Logger.Error("web page failed", "path", r.URL.Path, "err", err)
	}
	var b bytes.Buffer
	v := view{Title: http.StatusText(status), Crumbs: []crumb{{"/", "Syncs"}, {"", http.StatusText(status)}}, Data: errorData{msg, back}}
	if err := s.tmpl["error"].Execute(&b, v); err != nil {
		http.Error(w, msg, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	send(w, showBidi(b.Bytes()))
}

// reasonOf is the reason a classified error gives ("" if none).
func reasonOf(err error) string {
	r, _ := warehouse.Explain(err)
	return r
}

const hintMissingCounts = "This warehouse does not have the per-run counts the pages read yet. " +
	"If nothing has been loaded into it, the first load that loads files installs them (synctrack views installs the views now). " +
	"If an older synctrack loaded it, run synctrack load once (it backfills run_outcome_counts and run_fingerprint_counts " +
	"from the rows) and synctrack views (it installs run_outcomes). Then reload this page."

// missingCounts says whether err is a query naming a per-run counts
// relation that is not there (each engine words it its own way).
func missingCounts(err error) bool {
	msg := strings.ToLower(err.Error())
	named := strings.Contains(msg, "run_outcomes") || strings.Contains(msg, "run_outcome_counts") ||
		strings.Contains(msg, "run_fingerprint_counts")
	return named && (strings.Contains(msg, "does not exist") || strings.Contains(msg, "not found"))
}

// noPage answers a path that is none of the pages. A page's path with a
// slash after it (or /syncs/X/runs, a run list that is the sync's page)
// leads to the page; anything else is the not-found page, styled as the
// others, not the mux's plain text.
func (s *Server) noPage(w http.ResponseWriter, r *http.Request) {
	p := r.URL.EscapedPath()
	trimmed := strings.TrimRight(p, "/")
	parts := strings.Split(strings.TrimPrefix(trimmed, "/"), "/")
	to := ""
	switch {
	case strings.HasPrefix(p, "//"): // never a Location another host could read
	case trimmed == "/syncs" || trimmed == "/records":
		to = "/"
	case len(parts) == 3 && parts[0] == "syncs" && parts[2] == "runs":
		to = "/syncs/" + parts[1]
	case trimmed != p && (len(parts) == 2 && parts[0] == "syncs" || len(parts) == 4 && parts[0] == "syncs" && parts[2] == "runs" ||
		len(parts) == 2 && parts[0] == "records"):
		to = trimmed
	}
	if to != "" {
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, to, http.StatusMovedPermanently)
		return
	}
	err := notFound("There is no page at this address. The pages are / (every sync), /syncs/{sync_id}, " +
		"/syncs/{sync_id}/runs/{run_id} and /records/{identifier}.")
	if sync, run, ok := underSync(parts); ok {
		// An address cut or edited under a run's or a sync's page: that
		// page, when it is loaded.
		s.failNear(w, r, err, sync, run, "", "")
		return
	}
	s.fail(w, r, err)
}
