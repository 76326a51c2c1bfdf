package web_test

import (
	"context"
	dbsql "database/sql"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
	"github.com/synctrack/synctrack/web"
)

// rawRow is one records row as the test reads it from the parquet files
// itself, ids from the path: nothing here comes from the loaded tables.
type rawRow struct {
	org, sync, run, ident, outcome string
}

// fixture is a generated bucket and its rows read independently.
type fixture struct {
	dir, bucketURL string
	rows           []rawRow
}

func generate(t *testing.T) *fixture {
	t.Helper()
	f := emptyFixture(t)
	dir := f.dir
	o := gen.DefaultOptions()
	o.RowsPerFile = 40
	o.RunsPerSync = 4
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, f.bucketURL), o); err != nil {
		t.Fatal(err)
	}
	db, err := dbsql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Query(`SELECT filename, CAST(identifier AS VARCHAR), status
FROM read_parquet('` + filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*", "*.parquet") + `', union_by_name = true, filename = true)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var file, ident string
		var status *string
		if err := rs.Scan(&file, &ident, &status); err != nil {
			t.Fatal(err)
		}
		p := strings.Split(filepath.ToSlash(file), "/")
		r := rawRow{org: p[len(p)-4], sync: p[len(p)-3], run: p[len(p)-2], ident: ident, outcome: "invalid"}
		if status != nil && *status == "succeeded" {
			r.outcome = "success"
		} else if status != nil && *status == "rejected" {
			r.outcome = "rejected"
		}
		f.rows = append(f.rows, r)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return f
}

// emptyFixture is a fixture over a folder of its own, empty: a bucket for
// the test's own runs (addRun) or generator.
func emptyFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	return &fixture{dir: dir, bucketURL: "file://" + filepath.ToSlash(dir) + "?metadata=skip"}
}

// load loads the bucket into the warehouse at whURL, as synctrack load does.
func (f *fixture) load(t *testing.T, whURL string) {
	t.Helper()
	ctx := context.Background()
	b := testbucket.Open(t, f.bucketURL)
	_, w, err := engines.Open(ctx, whURL, warehouse.Options{Bucket: b, BucketURL: f.bucketURL, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rep, err := loader.New(b, f.dir, w, loader.Options{}).Load(ctx)
	if err != nil || len(rep.Failed) > 0 {
		t.Fatalf("load: %v %+v", err, rep)
	}
}

// where returns the raw rows that pass keep.
func (f *fixture) where(keep func(rawRow) bool) []rawRow {
	var out []rawRow
	for _, r := range f.rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// biggestRun is the run with the most rows, and one with rejections.
func (f *fixture) biggestRun() (sync, run string) {
	n := map[[2]string]int{}
	for _, r := range f.rows {
		if r.outcome == "rejected" {
			n[[2]string{r.sync, r.run}]++
		}
	}
	best := 0
	for k, c := range n {
		if c > best || c == best && k[1] < run {
			best, sync, run = c, k[0], k[1]
		}
	}
	return sync, run
}

func serve(t *testing.T, o web.Options) *httptest.Server {
	t.Helper()
	s, err := web.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv
}

func openURL(t *testing.T, whURL string) web.Opener {
	t.Helper()
	// As synctrack serve opens the embedded engine: read-only, held for
	// each request, through the engine's Readers.
	e, err := engines.Check(whURL)
	if err != nil {
		t.Fatal(err)
	}
	if e.Readers != nil {
		rs, err := e.Readers(whURL, warehouse.Options{ReadOnly: true, Now: time.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rs.Close() })
		return rs.Open
	}
	return openEach(whURL)
}

// openEach opens the warehouse read-only for each request, as the pages do
// on an engine with no Readers (and serve's did before Readers).
func openEach(whURL string) web.Opener {
	return func(ctx context.Context) (warehouse.Querier, func(), error) {
		_, w, err := engines.Open(ctx, whURL, warehouse.Options{ReadOnly: true, Now: time.Now})
		if err != nil {
			return nil, nil, err
		}
		return w, func() { w.Close() }, nil
	}
}

// get fetches a page and fails the test unless it answers want.
func get(t *testing.T, url string, want int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d:\n%.2000s", url, resp.StatusCode, want, b)
	}
	return string(b)
}

var (
	rowIdent = regexp.MustCompile(`<th scope="row" class="mono"><a href="[^"]*">([^<]*)</a></th>`)
	nextLink = regexp.MustCompile(`<a rel="next" href="([^"]*)">`)
	badge    = regexp.MustCompile(`<span class="badge (success|rejected|invalid)">`)
)

// walk follows a list's next links from path and returns every row's
// identifier (the row headers' text) and outcome badge, and the pages seen.
func walk(t *testing.T, base, path string) (idents, outcomes []string, pages int) {
	t.Helper()
	for path != "" {
		body := get(t, base+path, http.StatusOK)
		pages++
		for _, m := range rowIdent.FindAllStringSubmatch(body, -1) {
			idents = append(idents, html.UnescapeString(m[1]))
		}
		for _, m := range badge.FindAllStringSubmatch(body, -1) {
			outcomes = append(outcomes, m[1])
		}
		path = ""
		if m := nextLink.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
		if pages > 1000 {
			t.Fatal("paging never ends")
		}
	}
	return idents, outcomes, pages
}

func identsOf(rows []rawRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ident
	}
	sort.Strings(out)
	return out
}
