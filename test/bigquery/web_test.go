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
	sameHistories(t, bqSrv.URL, duckSrv.URL, recordLinks[bqSrv.URL])
	if typedPages[bqSrv.URL] == 0 {
		t.Errorf("no run page on BigQuery showed its records' typed cells")
	}
}

// typedPages counts the run pages that showed typed cells, by server.
var typedPages = map[string]int{}

// recordLinks are the record pages the run pages link to, by server.
var recordLinks = map[string]map[string]bool{}

// sameHistories walks the first records' pages of links, two rows a page,
// on both servers, which takes the record page's cursor (start, run, file
// and row) through BigQuery's parameters: the same rows, each once, newest
// start first and run id descending. Rows that tie on both are in file
// and row order, and BigQuery numbers a file's rows its own way (see
// differentColumns): their order is each engine's. At least one record
// must have older rows.
func sameHistories(t *testing.T, bq, duck string, links map[string]bool) {
	t.Helper()
	var ls []string
	for l := range links {
		ls = append(ls, l)
	}
	sort.Strings(ls)
	ls = ls[:min(len(ls), 8)]
	paged := 0
	for _, l := range ls {
		got, pages := walkHistory(t, bq, l)
		want, _ := walkHistory(t, duck, l)
		for i := 1; i < len(got); i++ {
			if a, b := historyKey(got[i-1]), historyKey(got[i]); a < b {
				t.Errorf("%s on BigQuery: %q before %q: not newest first", l, got[i-1], got[i])
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s on BigQuery:\n%v\nwant DuckDB's\n%v", l, got, want)
		}
		if pages > 1 {
			paged++
		}
	}
	if paged == 0 {
		t.Errorf("no record page of %v had older rows: the Older rows link went untested", ls)
	}
}

// historyKey is a record page row's start and run, to compare as text:
// the start as the page writes it (a start sorts as text, and no start,
// "—", is last), then the run.
func historyKey(row string) string {
	f := strings.Split(row, "|")
	if f[0] == "—" {
		f[0] = ""
	}
	return f[0] + "|" + f[2]
}

// walkHistory follows a record page's Older rows links and returns its
// rows' text in order (no payload: see recordRe), and the pages read.
func walkHistory(t *testing.T, base, path string) (rows []string, pages int) {
	for ; path != "" && pages < 200; pages++ {
		body := getPage(t, base+path)
		for _, m := range historyRe.FindAllStringSubmatch(body, -1) {
			rows = append(rows, html.UnescapeString(strings.Join(m[1:], "|")))
		}
		path = ""
		if m := nextRe.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	return rows, pages
}

func webServer(t *testing.T, q warehouse.Querier) *httptest.Server {
	t.Helper()
	s, err := web.New(web.Options{PageSize: 7, HistorySize: 2,
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
	// A record page's row: start, sync, run, outcome badge, error reason.
	historyRe    = regexp.MustCompile(`(?s)<tr>\s*<td class="nowrap">([^<]*)</td>\s*<td class="mono">([^<]*)</td>\s*<td class="mono"><a href="[^"]*">([^<]*)</a></td>\s*<td><span class="badge (\w+)">.*?<td class="msg">([^<]*)</td>`)
	recordLinkRe = regexp.MustCompile(`<th scope="row" class="mono"><a href="(/records[^"]*)">`)
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
			if recordLinks[base] == nil {
				recordLinks[base] = map[string]bool{}
			}
			for _, m := range recordLinkRe.FindAllStringSubmatch(body, -1) {
				recordLinks[base][html.UnescapeString(m[1])] = true
			}
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
