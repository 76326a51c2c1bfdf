// Package web is synctrack's read-only web pages over a warehouse: every
// sync with its latest run, a sync's history, a run's records (filtered,
// searched, paged by key, downloadable) and one record's history. Pages
// ask the engine through warehouse.Querier with bound parameters only: the
// browser sends values, never SQL. Charts are SVG drawn on the server, the
// tables need no JavaScript (there is none), and every asset is embedded.
package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/synctrack/synctrack/warehouse"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets
var assetFiles embed.FS

// Opener hands out a warehouse to read for one request and says how to
// let it go: a server engine's long-lived connection (a no-op release),
// or the embedded engine's file held read-only for the request (opened,
// or attached to an instance kept for the pages: warehouse.Readers), so
// a load in another process is never locked out for longer than a page.
type Opener func(ctx context.Context) (warehouse.Querier, func(), error)

// Options are what the pages need.
type Options struct {
	Open   Opener
	Auth   Auth // the secret a request must carry; empty: none (loopback only)
	Logger *slog.Logger
	Now    func() time.Time
	// PageSize is how many records or runs a page shows (50 when zero).
	PageSize int
	// HistorySize is how many rows of one record's history a page shows
	// (200 when zero).
	HistorySize int
	// Downloads is how many downloads may run at once (4 when zero); one
	// more is a 503. Each holds a temporary copy of its records until its
	// client has read it.
	Downloads int
	// Pending, when set, says what the next load would read from the
	// bucket (serve --bucket, the daemon's target): the home page shows it.
	// It is called with the page's warehouse (to read the ledger) and
	// returns how to list the bucket, which the page calls once it has let
	// the warehouse go: a listing takes seconds, and the embedded engine's
	// file must not be held that long (a load in another process would be
	// locked out).
	Pending func(ctx context.Context, q warehouse.Querier) (PendingList, error)
	// Checked, when set, says how the daemon's last look at the bucket
	// ended (run --web): a load that found nothing new writes nothing the
	// pages could read, so "Last load" alone cannot tell a quiet bucket
	// from a stopped loader. ok is false before the first look.
	Checked func() (c Checked, ok bool)
}

// Checked is how the daemon's last cycle ended.
type Checked struct {
	At     time.Time
	Loaded int64  // objects it loaded
	Failed int64  // objects that failed in it, the cycle having ended well
	Err    string // why it failed, or ""
	// Views are the syncs whose typed views the last load could not
	// rebuild for a cause of their own: sync -> why.
	Views map[string]string
}

// PendingList lists the bucket against what Pending read of the ledger.
type PendingList func(ctx context.Context) (Pending, error)

// Pending is what a load would read now: files new, changed or to retry.
type Pending struct {
	Records, Metadata, Facts int
	Listed                   int
	At                       time.Time
}

// Server serves the pages.
type Server struct {
	o    Options
	tmpl map[string]*template.Template
	// downloads holds a place for each download running.
	downloads chan struct{}
}

// New parses the embedded templates.
func New(o Options) (*Server, error) {
	if o.Open == nil {
		return nil, errors.New("web: no warehouse")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PageSize <= 0 {
		o.PageSize = 50
	}
	if o.HistorySize <= 0 {
		o.HistorySize = historySize
	}
	if o.Downloads <= 0 {
		o.Downloads = 4
	}
	s := &Server{o: o, tmpl: map[string]*template.Template{}, downloads: make(chan struct{}, o.Downloads)}
	for _, page := range []string{"home", "sync", "run", "record", "error"} {
		t, err := template.New("layout.html").Funcs(viewFuncs).ParseFS(templateFiles, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, err
		}
		s.tmpl[page] = t
	}
	return s, nil
}

// Handler serves the five URLs and the assets, behind the secret (when
// set) and the security headers; anything but GET and HEAD is refused.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	assets, _ := fs.Sub(assetFiles, "assets")
	// One file a path: /assets/ itself is no listing; a file not there is
	// the pages' not-found page, not the file server's bare text.
	files := http.StripPrefix("/assets/", http.FileServerFS(assets))
	mux.HandleFunc("GET /assets/{file}", func(w http.ResponseWriter, r *http.Request) {
		if _, err := fs.Stat(assets, r.PathValue("file")); err != nil {
			s.noPage(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /syncs/{sync}", s.syncPage)
	mux.HandleFunc("GET /syncs/{sync}/runs/{run}", s.runPage)
	mux.HandleFunc("GET /syncs/{sync}/runs/{run}/{file}", s.download)
	mux.HandleFunc("GET /records/{identifier}", s.recordPage)
	mux.HandleFunc("GET /records", s.recordSearch)
	mux.HandleFunc("GET /", s.noPage)
	return secure(s.o.Auth.wrap(mux)) // a 401 carries the headers too
}
