package web_test

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/web"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// pageSize is small so that paging is exercised on a small bucket.
const pageSize = 7

func TestPagesDuckDB(t *testing.T) {
	f := generate(t)
	whURL := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	f.load(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL), PageSize: pageSize})
	checkPages(t, srv.URL, f)
}

func TestPagesPostgres(t *testing.T) {
	whURL := pgtest.URL(t)
	f := generate(t)
	f.load(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL), PageSize: pageSize})
	checkPages(t, srv.URL, f)
}

// checkPages checks the five URLs against the bucket as the test read it.
func checkPages(t *testing.T, base string, f *fixture) {
	home := get(t, base+"/", http.StatusOK)
	syncs := map[string]bool{}
	for _, r := range f.rows {
		syncs[r.sync] = true
	}
	for s := range syncs {
		if !strings.Contains(home, `href="/syncs/`+url.PathEscape(s)+`"`) {
			t.Errorf("home page has no link to sync %s", s)
		}
	}
	// The records loaded, as status counts them: not metadata or fact rows.
	n := strconv.Itoa(len(f.rows))
	for i := len(n) - 3; i > 0; i -= 3 {
		n = n[:i] + "," + n[i:]
	}
	if !strings.Contains(home, "<dt>Records loaded</dt><dd>"+n+"</dd>") {
		t.Errorf("home page does not say %s records loaded", n)
	}
	sync, run := f.biggestRun()
	t.Run("sync history", func(t *testing.T) { checkSync(t, base, f, sync) })
	t.Run("run records", func(t *testing.T) { checkRun(t, base, f, sync, run) })
	t.Run("record history", func(t *testing.T) {
		ident := f.where(func(r rawRow) bool { return r.sync == sync && r.run == run })[0].ident
		want := f.where(func(r rawRow) bool { return r.sync == sync && r.ident == ident })
		body := get(t, base+"/records/"+url.PathEscape(ident)+"?sync="+url.QueryEscape(sync), http.StatusOK)
		if got := strings.Count(body, `<td class="payload">`); got != len(want) {
			t.Errorf("record %s: %d rows, want %d", ident, got, len(want))
		}
		// Server-Timing says the page's time and its parts, which add up to it.
		st := serverTiming(t, base+"/records/"+url.PathEscape(ident)+"?sync="+url.QueryEscape(sync))
		sum := 0.0
		for _, k := range timingParts {
			if _, ok := st[k]; !ok {
				t.Errorf("Server-Timing has no %s: %v", k, st)
			}
			sum += st[k]
		}
		if math.Abs(sum-st["page"]) > 0.5 {
			t.Errorf("Server-Timing parts add up to %.1f ms, the page to %.1f: %v", sum, st["page"], st)
		}
		get(t, base+"/records/no-such-record", http.StatusNotFound)
		// Bytes that are not text: a bad request, not a failed bind.
		get(t, base+"/records/%FF", http.StatusBadRequest)
		get(t, base+"/records/x?sync=%FE", http.StatusBadRequest)
		// Nor a NUL, which PostgreSQL refused to bind (a 500).
		get(t, base+"/records/a%00b", http.StatusBadRequest)
		get(t, base+"/records/x?sync=%00", http.StatusBadRequest)
		// The header's search form goes to the same page.
		if got := get(t, base+"/records?q="+url.QueryEscape(ident)+"&sync="+url.QueryEscape(sync), http.StatusOK); got != body {
			t.Errorf("/records?q= does not lead to the record's page")
		}
	})
	t.Run("downloads", func(t *testing.T) { checkDownloads(t, base, f, sync, run) })
	get(t, base+"/syncs/no-such-sync", http.StatusNotFound)
	get(t, base+"/syncs/"+sync+"/runs/no-such-run", http.StatusNotFound)
	get(t, base+"/syncs/"+sync+"/runs/"+run+"?outcome=bogus", http.StatusBadRequest)
	get(t, base+"/syncs/"+sync+"/runs/"+run+"?q=%FF", http.StatusBadRequest)
	get(t, base+"/syncs/"+sync+"/runs/"+run+"?q=a%00", http.StatusBadRequest)
	get(t, base+"/syncs/"+sync+"/runs/"+run+"/records.csv?q=%00", http.StatusBadRequest)
	get(t, base+"/syncs/"+sync+"/runs/"+run+"?after=garbage", http.StatusBadRequest)
	// A q past what any identifier is: said, not echoed into every link of
	// a 900 kB page (found by an audit); one of 4 KiB is still searched.
	long := strings.Repeat("a", 4097)
	get(t, base+"/syncs/"+sync+"/runs/"+run+"?q="+long, http.StatusBadRequest)
	get(t, base+"/syncs/"+sync+"/runs/"+run+"/records.csv?q="+long, http.StatusBadRequest)
	get(t, base+"/records?q="+long, http.StatusBadRequest)
	get(t, base+"/syncs/"+sync+"/runs/"+run+"?q="+long[1:], http.StatusOK)
	// A cursor whose key is not text is not one a page made (PostgreSQL's
	// refusal of the NUL was a 500 page); a sync not loaded is not found
	// with a cursor too (an empty history page was shown). Found by a review.
	nul := base64.RawURLEncoding.EncodeToString([]byte(`{"k":"\u0000","n":1}`))
	get(t, base+"/syncs/"+sync+"/runs/"+run+"?after="+nul, http.StatusBadRequest)
	nulRun := base64.RawURLEncoding.EncodeToString([]byte(`{"t":"2026-01-01T00:00:00Z","k":"\u0000"}`))
	get(t, base+"/syncs/"+sync+"?before="+nulRun, http.StatusBadRequest)
	old := base64.RawURLEncoding.EncodeToString([]byte(`{"t":"1999-01-01T00:00:00Z","k":"1"}`))
	get(t, base+"/syncs/no-such-sync?before="+old, http.StatusNotFound)
	if page := get(t, base+"/syncs/"+url.PathEscape(sync)+"?before="+old, http.StatusOK); strings.Contains(page, "rel=\"next\"") {
		t.Errorf("a page past the sync's last run links to a next one")
	}
	// Ids in the path that are not text: a bad request, not a failed bind.
	for _, p := range []string{"/syncs/%FF", "/syncs/" + sync + "/runs/%FF", "/syncs/%C0%80/runs/1/records.csv", "/syncs/%ED%A0%80",
		"/syncs/a%00", "/syncs/" + sync + "/runs/1%00", "/syncs/" + sync + "/runs/1%00/records.json"} {
		get(t, base+p, http.StatusBadRequest)
	}
	// A download of a run that is not loaded is not found, as its page is.
	for _, p := range []string{"/syncs/no-such-sync/runs/1/records.csv", "/syncs/" + sync + "/runs/no-such-run/records.json"} {
		get(t, base+p, http.StatusNotFound)
	}
	// The identifiers "." and ".." are searched for, not read as the path's
	// own dots: the search answers with their page (a browser reads any path
	// of them as dots: TestDotIdentifiersLinkToTheirRecord).
	for _, q := range []string{".", ".."} {
		get(t, base+"/records?q="+q, http.StatusNotFound)
		get(t, base+"/records/"+strings.Repeat("%2E", len(q)), http.StatusNotFound)
	}
}

var runRow = regexp.MustCompile(`(?s)<tr>\s*<th scope="row" class="mono"><a href="[^"]*">([^<]*)</a></th>(.*?)</tr>`)
var numberCell = regexp.MustCompile(`<td class="type">number</td><td class="mono">([^<]*)</td>`)
var numCell = regexp.MustCompile(`<td class="num">(?:<a [^>]*>)?([0-9,]+)(?:</a>)?</td>`)

func checkSync(t *testing.T, base string, f *fixture, sync string) {
	type counts struct{ total, success, rejected, invalid int }
	want := map[string]*counts{}
	for _, r := range f.where(func(r rawRow) bool { return r.sync == sync }) {
		c := want[r.run]
		if c == nil {
			c = &counts{}
			want[r.run] = c
		}
		c.total++
		switch r.outcome {
		case "success":
			c.success++
		case "rejected":
			c.rejected++
		default:
			c.invalid++
		}
	}
	seen := 0
	path := "/syncs/" + url.PathEscape(sync)
	for path != "" {
		body := get(t, base+path, http.StatusOK)
		for _, m := range runRow.FindAllStringSubmatch(body, -1) {
			c := want[m[1]]
			if c == nil {
				t.Errorf("sync page lists run %s, which is not in the bucket", m[1])
				continue
			}
			var n []int
			for _, x := range numCell.FindAllStringSubmatch(m[2], -1) {
				v, _ := strconv.Atoi(strings.ReplaceAll(x[1], ",", ""))
				n = append(n, v)
			}
			// files, total, success, rejected, invalid
			if len(n) != 5 || n[1] != c.total || n[2] != c.success || n[3] != c.rejected || n[4] != c.invalid {
				t.Errorf("run %s: cells %v, want total %d success %d rejected %d invalid %d", m[1], n, c.total, c.success, c.rejected, c.invalid)
			}
			seen++
		}
		if strings.Contains(body, `<span class="mono"></span>`) {
			t.Error("sync page lists an empty fingerprint (rows without a message)")
		}
		for _, want := range []string{"<svg class=\"chart\" role=\"img\"", "<title>Outcomes per run</title>", "Top error fingerprints"} {
			if !strings.Contains(body, want) {
				t.Errorf("sync page lacks %q", want)
			}
		}
		path = ""
		if m := nextLink.FindStringSubmatch(body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if seen != len(want) {
		t.Errorf("sync pages list %d runs, want %d", seen, len(want))
	}
}

func checkRun(t *testing.T, base string, f *fixture, sync, run string) {
	path := "/syncs/" + url.PathEscape(sync) + "/runs/" + url.PathEscape(run)
	inRun := func(r rawRow) bool { return r.sync == sync && r.run == run }
	all := f.where(inRun)
	idents, _, pages := walk(t, base, path)
	sort.Strings(idents)
	if want := identsOf(all); !slices.Equal(idents, want) {
		t.Errorf("paging through run %s gave %d records, want %d", run, len(idents), len(want))
	}
	if want := (len(all) + pageSize - 1) / pageSize; pages != want {
		t.Errorf("%d pages of %d, want %d", pages, pageSize, want)
	}
	for _, o := range []string{"success", "rejected", "invalid"} {
		rows := f.where(func(r rawRow) bool { return inRun(r) && r.outcome == o })
		idents, outcomes, _ := walk(t, base, path+"?outcome="+o)
		sort.Strings(idents)
		if !slices.Equal(idents, identsOf(rows)) {
			t.Errorf("outcome=%s: %d records, want %d", o, len(idents), len(rows))
		}
		for _, got := range outcomes {
			if got != o {
				t.Errorf("outcome=%s shows a %s badge", o, got)
			}
		}
	}
	// The typed columns show the payload's numbers (the generator's syncs
	// have a number field; a NULL one shows empty, but not all of them).
	numbers := 0
	for _, m := range numberCell.FindAllStringSubmatch(get(t, base+path, http.StatusOK), -1) {
		if m[1] == "" {
			continue
		}
		if _, err := strconv.ParseFloat(m[1], 64); err != nil {
			t.Errorf("a number column shows %q", m[1])
		}
		numbers++
	}
	if numbers == 0 {
		t.Errorf("no number column on the run page shows a value")
	}
	ident := f.where(func(r rawRow) bool { return inRun(r) && r.outcome == "rejected" })[0].ident
	want := f.where(func(r rawRow) bool { return inRun(r) && r.ident == ident })
	got, _, _ := walk(t, base, path+"?q="+url.QueryEscape(ident))
	if len(got) != len(want) || len(got) == 0 || got[0] != ident {
		t.Errorf("q=%s: %v, want %d rows of it", ident, got, len(want))
	}
	// q is the identifier exactly, as synctrack records --identifier takes
	// it (an identifier may have spaces around it: TestHostileDataAndURLs).
	if got, _, _ := walk(t, base, path+"?q="+url.QueryEscape(" "+ident+" ")); len(got) != 0 {
		t.Errorf("q with spaces around %s: %d rows, want none", ident, len(got))
	}
}

func checkDownloads(t *testing.T, base string, f *fixture, sync, run string) {
	want := f.where(func(r rawRow) bool { return r.sync == sync && r.run == run && r.outcome == "rejected" })
	path := base + "/syncs/" + url.PathEscape(sync) + "/runs/" + url.PathEscape(run) + "/records."
	body := fetch(t, path+"csv?outcome=rejected", "text/csv")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) != len(want)+1 {
		t.Errorf("csv: %d lines (%v), want a header and %d", len(recs), err, len(want))
	}
	var js []map[string]any
	if err := json.Unmarshal([]byte(fetch(t, path+"json?outcome=rejected", "application/json")), &js); err != nil || len(js) != len(want) {
		t.Errorf("json: %d rows (%v), want %d", len(js), err, len(want))
	}
	for _, r := range js {
		if r["outcome"] != "rejected" || r["sync_run_id"] != run {
			t.Errorf("json row %v is not a rejected row of run %s", r, run)
			break
		}
	}
	pq := fetch(t, path+"parquet?outcome=rejected", "application/vnd.apache.parquet")
	pf, err := parquet.OpenFile(bytes.NewReader([]byte(pq)), int64(len(pq)))
	if err != nil || pf.NumRows() != int64(len(want)) {
		t.Errorf("parquet: %v rows (%v), want %d", pf, err, len(want))
	}
	resp, err := http.Get(path + "xml")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("records.xml: %d, want 404", resp.StatusCode)
		}
	}
}

func fetch(t *testing.T, u, contentType string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), contentType) ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment; filename=") {
		t.Fatalf("GET %s: %d %q %q: %.300s", u, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), b)
	}
	return string(b)
}

// A warehouse loaded before the per-run counts existed (no run_outcomes
// view yet) gets a page that says how to fix it, not a bare SQL error.
func TestPagesOlderWarehouseSaysWhatToRun(t *testing.T) {
	f := generate(t)
	path := filepath.Join(t.TempDir(), "w.duckdb")
	f.load(t, "duckdb://"+path)
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DROP VIEW synctrack.run_outcomes`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	srv := serve(t, web.Options{Open: openURL(t, "duckdb://"+path), PageSize: pageSize})
	body := get(t, srv.URL+"/", http.StatusServiceUnavailable)
	if !strings.Contains(body, "run synctrack load once") || !strings.Contains(body, "synctrack views") {
		t.Errorf("the page does not say what to run:\n%.1500s", body)
	}
	if strings.Contains(body, "SELECT") {
		t.Errorf("the page shows SQL:\n%.1500s", body)
	}
}

// A warehouse whose loads have loaded nothing yet (a daemon's first cycle
// over an empty bucket) gets the same guidance, not a failed query.
func TestPagesEmptyWarehouseSaysWhatToRun(t *testing.T) {
	dir := t.TempDir()
	bucket := filepath.Join(dir, "bucket")
	if err := os.MkdirAll(filepath.Join(bucket, "sync_tracking_datasets"), 0o755); err != nil {
		t.Fatal(err)
	}
	whURL := "duckdb://" + filepath.Join(dir, "w.duckdb")
	(&fixture{dir: bucket, bucketURL: "file://" + filepath.ToSlash(bucket) + "?metadata=skip"}).load(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL), PageSize: pageSize})
	for _, p := range []string{"/", "/syncs/1"} {
		body := get(t, srv.URL+p, http.StatusServiceUnavailable)
		if !strings.Contains(body, "If nothing has been loaded into it") || strings.Contains(body, "SELECT") {
			t.Errorf("%s does not say what to do:\n%.1500s", p, body)
		}
	}
}
