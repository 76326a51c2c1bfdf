package bigquery_test

import (
	"context"
	"encoding/csv"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/web"
)

// The web pages on the emulator, through the BigQuery warehouse's Query
// path, show what they show on DuckDB for the same bucket: the home page's
// links, each sync's runs and counts, every run's records page by page with
// each outcome filter, and the CSV download's rows.
func TestWebPagesMatchDuckDB(t *testing.T) {
	e := newEnv(t)
	e.generate(t, smallOptions())
	// Runs whose metadata.json is there and no records yet: one of a new
	// sync, listed on the home page, Sync History and its run page too.
	for _, key := range []string{"sync_tracking_datasets/1001/quiet-sync/first-run/metadata.json",
		"sync_tracking_datasets/1001/quiet-sync/second-run/metadata.json"} {
		meta := `{"orgId":1001,"workspaceId":"608","syncConfigurationId":"quiet-sync","syncRunId":"` + strings.Split(key, "/")[3] +
			`","sourceType":"DataWarehouse::Table","destinationType":"Hubspot::Connection","destinationId":"1",` +
			`"startedAt":"2030-01-02T03:04:05.000Z","recordPayloadSchema":{"email":"string"}}`
		if err := e.bucket.WriteAll(context.Background(), key, []byte(meta), nil); err != nil {
			t.Fatal(err)
		}
	}
	w := e.open(t)
	ref := e.duck(t)
	loadBQ(t, e, w)
	fixMillis(t, w)
	fixLocalMicros(t, e, w)
	bqSrv := webServer(t, w)
	duckSrv := webServer(t, ref)

	home := pageLinks(t, bqSrv.URL+"/")
	same(t, "home page links", home, pageLinks(t, duckSrv.URL+"/"))
	if !slices.Contains(home, "/syncs/quiet-sync/runs/second-run") {
		t.Errorf("the home page does not list a sync whose runs have no records yet: %v", home)
	}
	for _, p := range []string{"/syncs/quiet-sync", "/syncs/quiet-sync/runs/first-run"} {
		if body := getPage(t, bqSrv.URL+p); !strings.Contains(body, "2030-01-02") {
			t.Errorf("%s does not show the run started 2030-01-02", p)
		}
	}
	for _, link := range home {
		if !strings.HasPrefix(link, "/syncs/") {
			continue
		}
		if strings.Contains(link, "/runs/") {
			if strings.HasPrefix(link, "/syncs/quiet-sync/") {
				continue // no records to compare: checked above
			}
			for _, o := range []string{"", "?outcome=rejected", "?outcome=invalid", "?outcome=success"} {
				same(t, link+o, walkRows(t, bqSrv.URL, link+o), walkRows(t, duckSrv.URL, link+o))
			}
			same(t, link+" csv", csvRows(t, bqSrv.URL+link+"/records.csv?outcome=rejected"),
				csvRows(t, duckSrv.URL+link+"/records.csv?outcome=rejected"))
			continue
		}
		same(t, link, walkRows(t, bqSrv.URL, link), walkRows(t, duckSrv.URL, link))
	}
	if typedPages[bqSrv.URL] == 0 {
		t.Errorf("no run page on BigQuery showed its records' typed cells")
	}
}

// typedPages counts the run pages that showed typed cells, by server.
var typedPages = map[string]int{}

func webServer(t *testing.T, q warehouse.Querier) *httptest.Server {
	t.Helper()
	s, err := web.New(web.Options{PageSize: 7,
		Open: func(context.Context) (warehouse.Querier, func(), error) { return q, func() {}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv
}

func getPage(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d:\n%.1500s", u, resp.StatusCode, b)
	}
	return string(b)
}

var (
	hrefRe = regexp.MustCompile(`href="(/syncs/[^"?]*)"`)
	// A record row: identifier, outcome badge, error reason. A run row: run
	// id and its number cells. Payload JSON is left out: each engine keeps
	// numbers its own way (75328.3 or 75328.30).
	recordRe = regexp.MustCompile(`(?s)<th scope="row" class="mono"><a href="[^"]*">([^<]*)</a></th>\s*<td><span class="badge (\w+)">.*?<td class="msg">([^<]*)</td>`)
	runRe    = regexp.MustCompile(`(?s)<tr>\s*<th scope="row" class="mono"><a href="[^"]*">([^<]*)</a></th>(.*?)</tr>`)
	numRe    = regexp.MustCompile(`<td class="num">(?:<a [^>]*>)?([0-9.,%]+)`)
	nextRe   = regexp.MustCompile(`<a rel="next" href="([^"]*)">`)
)

// pageLinks are the sync and run links of a page, sorted.
func pageLinks(t *testing.T, u string) []string {
	seen := map[string]bool{}
	for _, m := range hrefRe.FindAllStringSubmatch(getPage(t, u), -1) {
		seen[m[1]] = true
	}
	var out []string
	for l := range seen {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// walkRows follows the next links and returns every table row's text.
func walkRows(t *testing.T, base, path string) []string {
	var out []string
	for n := 0; path != "" && n < 200; n++ {
		body := getPage(t, base+path)
		// The emulator turns a JSON subscript into a JSON path, which a
		// field named with a quote (the generator's it's and x"); DROP...)
		// breaks: "invalid path format". BigQuery's subscript takes any key;
		// nothing else may keep a run page from its typed view.
		if i := strings.Index(body, "could not be read from the view"); i >= 0 && !strings.Contains(body[i:], "json: invalid path format") {
			t.Errorf("%s: the typed view did not answer: %.1000s", path, body[i:])
		}
		if strings.Contains(body, `<table class="typed"><caption>`) {
			typedPages[base]++
		}
		if strings.Contains(path, "/runs/") {
			for _, m := range recordRe.FindAllStringSubmatch(body, -1) {
				out = append(out, html.UnescapeString(m[1]+"|"+m[2]+"|"+m[3]))
			}
		} else {
			for _, m := range runRe.FindAllStringSubmatch(body, -1) {
				cells := []string{m[1]}
				for _, n := range numRe.FindAllStringSubmatch(m[2], -1) {
					cells = append(cells, n[1])
				}
				out = append(out, strings.Join(cells, "|"))
			}
		}
		path = ""
		if m := nextRe.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	sort.Strings(out)
	return out
}

func csvRows(t *testing.T, u string) []string {
	recs, err := csv.NewReader(strings.NewReader(getPage(t, u))).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("csv %s: %v", u, err)
	}
	var out []string
	for _, r := range recs[1:] {
		var keep []string
		for i, c := range r {
			// log_id differs by design (see differentColumns); payloads are
			// JSON whose key order each engine keeps its own way.
			if h := recs[0][i]; h != "log_id" && h != "record_payload" {
				keep = append(keep, c)
			}
		}
		out = append(out, strings.Join(keep, "|"))
	}
	sort.Strings(out)
	return out
}
