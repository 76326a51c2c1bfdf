package web_test

import (
	"context"
	dbsql "database/sql"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/web"
)

// backIDs are sync, run and record ids an address has to escape: a slash,
// a query's and a fragment's marks, a space, non-ASCII, the dots, and an
// escape's own text.
var backIDs = []string{"a/b ?#é &x", "..", "%2F"}

// backFixture is a warehouse of one sync per backIDs[i], with id
// backIDs[i], and in it one run, with id backIDs[i] too, of one record,
// with identifier backIDs[i]: no record is in two syncs.
func backFixture(t *testing.T) string { return idsFixture(t, backIDs) }

// idsFixture is backFixture of ids instead of backIDs: the pages' address.
func idsFixture(t *testing.T, ids []string) string {
	t.Helper()
	f := emptyFixture(t)
	for i, id := range ids {
		addRun(t, f.dir, "7", fmt.Sprintf("sync%d", i), fmt.Sprintf("run%d", i), "2030-01-01T00:00:00Z",
			[]testRecord{{id, strp("rejected"), "bad", strp("2030-01-01 00:01:00+00")}})
	}
	path := filepath.Join(f.dir, "w.duckdb")
	f.load(t, "duckdb://"+path)
	// A bucket's folder names no id with a slash or of dots: the ids are
	// given as the warehouse would hold them from another bucket.
	db, err := dbsql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `SELECT c.table_name, c.column_name FROM information_schema.columns c
JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = 'synctrack' AND t.table_type = 'BASE TABLE' AND c.column_name IN ('sync_configuration_id', 'sync_run_id')`)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	for _, c := range cols {
		from := "sync"
		if c[1] == "sync_run_id" {
			from = "run"
		}
		for i, id := range ids {
			if _, err := db.Exec(fmt.Sprintf(`UPDATE synctrack.%q SET %q = ? WHERE %q = ?`, c[0], c[1], c[1]), id, fmt.Sprintf("%s%d", from, i)); err != nil {
				t.Fatalf("%s.%s: %v", c[0], c[1], err)
			}
		}
	}
	db.Close()
	return serve(t, web.Options{Open: openURL(t, "duckdb://"+path)}).URL
}

// segment is a sync or run id as the path segment of a page's own links:
// escaped, and an id of dots with two dots more (no browser reads "...."
// as the path's own dots).
func segment(id string) string {
	if id != "" && strings.Trim(id, ".") == "" {
		return id + ".."
	}
	return url.PathEscape(id)
}

// answer fetches path without following a redirect: its status and body.
func answer(t *testing.T, base, path string) (int, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// backLinks are the error page's links to a page to go to instead, as
// text and href.
func backLinks(t *testing.T, page string) [][2]string {
	t.Helper()
	var out [][2]string
	for _, p := range elements(parseHTML(t, page), tagged("p", "back")) {
		for _, a := range elements(p, tagged("a")) {
			href, _ := attr(a, "href")
			out = append(out, [2]string{textOf(a), href})
		}
	}
	return out
}

// backCase is an address a reader got wrong, the status it answers, and
// the link its error page should give instead: text, href and the page
// there (its h1); no text for no link.
type backCase struct {
	path   string
	status int
	text   string
	href   string
	target string
}

// checkBack asks each case's address and its link's.
func checkBack(t *testing.T, base string, cases []backCase) {
	t.Helper()
	for _, c := range cases {
		status, body := answer(t, base, c.path)
		if status != c.status {
			t.Errorf("GET %s: %d, want %d:\n%.1500s", c.path, status, c.status, body)
			continue
		}
		got := backLinks(t, body)
		if c.text == "" {
			if len(got) != 0 {
				t.Errorf("GET %s: links to %q, though nothing is nearer than every sync", c.path, got)
			}
			continue
		}
		if len(got) != 1 || got[0] != [2]string{c.text, c.href} {
			t.Errorf("GET %s: the %d page links to %q, want %q at %q", c.path, status, got, c.text, c.href)
			continue
		}
		if status, body := answer(t, base, c.href); status != http.StatusOK || !strings.Contains(body, c.target) {
			t.Errorf("GET %s: its link %s answers %d, not the page %s", c.path, c.href, status, c.target)
		}
	}
}

// backPages are the addresses and h1s of sync, run and record id's pages.
type backPages struct {
	syncPath, runPath, syncH1, runH1, recordH1 string
}

func pagesOf(id string) backPages {
	syncPath := "/syncs/" + segment(id)
	return backPages{syncPath: syncPath, runPath: syncPath + "/runs/" + segment(id),
		syncH1:   `<h1>Sync history <span class="mono">` + html.EscapeString(id) + `</span></h1>`,
		runH1:    `<h1>Run <span class="mono">` + html.EscapeString(id) + `</span></h1>`,
		recordH1: `<h1>Record <span class="mono">` + html.EscapeString(id) + `</span></h1>`}
}

// A cursor cut short or edited, a filter the page does not take, a
// download it does not make: each 400 (or 404) page links to the page
// without the mistake, at the address the pages' own links give it,
// whatever the ids.
func TestBadAddressLinksToThePageWithoutTheMistake(t *testing.T) {
	base := backFixture(t)
	for _, id := range backIDs {
		p, q := pagesOf(id), url.QueryEscape(id)
		toRun := "Run " + id + " of sync " + id
		checkBack(t, base, []backCase{
			{p.runPath + "?after=garbage", 400, "First page of run " + id, p.runPath, p.runH1},
			{p.runPath + "?outcome=rejected&q=" + q + "&after=e30", 400, "First page of run " + id, p.runPath + "?outcome=rejected&q=" + q, p.runH1},
			{p.runPath + "?outcome=bogus&q=" + q, 400, toRun, p.runPath + "?q=" + q, p.runH1},
			{p.runPath + "?outcome=invalid&q=%FF", 400, toRun, p.runPath + "?outcome=invalid", p.runH1},
			{p.runPath + "/records.xml?outcome=rejected", 404, toRun, p.runPath + "?outcome=rejected", p.runH1},
			{p.runPath + "/records.csv?outcome=bogus&q=" + q, 400, toRun, p.runPath + "?q=" + q, p.runH1},
			{p.syncPath + "?before=garbage", 400, "Newest runs of sync " + id, p.syncPath, p.syncH1},
			{p.syncPath + "/runs/%FF", 400, "Newest runs of sync " + id, p.syncPath, p.syncH1},
		})
	}
	// Of a sync that is not there, nothing is nearer than every sync.
	checkBack(t, base, []backCase{
		{path: "/syncs/no-such-sync?before=garbage", status: 400},
		{path: "/syncs/no-such-sync/runs/1?outcome=bogus", status: 400},
		{path: "/syncs/no-such-sync/runs/1/records.xml", status: 404},
		{path: "/syncs/%FF/runs/1", status: 400},
	})
}

// A sync, run or record that is not loaded, or an address under a sync or
// a run that is no page, is a 404 page that links to the nearest page that
// is: the run, the sync of a run, the record in every sync or else the
// sync; nothing when only the list of every sync is nearer.
func TestNotFoundLinksToTheNearestPage(t *testing.T) {
	base := backFixture(t)
	for i, id := range backIDs {
		p := pagesOf(id)
		other := backIDs[(i+1)%len(backIDs)] // a sync without the record id
		toSync := "Newest runs of sync " + id
		checkBack(t, base, []backCase{
			{p.runPath + "/records.csv/x", 404, "Run " + id + " of sync " + id, p.runPath, p.runH1},
			{p.syncPath + "/runs/no-such-run/x/y", 404, toSync, p.syncPath, p.syncH1},
			{p.syncPath + "/x", 404, toSync, p.syncPath, p.syncH1},
			{p.syncPath + "/runs/no-such-run", 404, toSync, p.syncPath, p.syncH1},
			{p.syncPath + "/runs/no-such-run/records.json", 404, toSync, p.syncPath, p.syncH1},
			{newestAddress(id, other), 404, "Record " + id + " in every sync", newestAddress(id, ""), p.recordH1},
			{newestAddress("no such record", id), 404, toSync, p.syncPath, p.syncH1},
		})
		// The record's link is one a browser follows to it, dots and all.
		if status, body := answer(t, base, asBrowser(newestAddress(id, ""))); status != http.StatusOK || !strings.Contains(body, p.recordH1) {
			t.Errorf("%q: the record's link answers %d in a browser, not its page", id, status)
		}
	}
	checkBack(t, base, []backCase{
		{path: "/syncs/no-such-sync", status: 404},
		{path: "/syncs/no-such-sync/runs/1", status: 404},
		{path: "/syncs/no-such-sync/runs/1/x/y", status: 404},
		{path: "/syncs/%FF/runs/%FF/x/y", status: 404},
		{path: newestAddress("no such record", ""), status: 404},
		{path: newestAddress("no such record", "no-such-sync"), status: 404},
	})
	// The address of the record in every sync is a link now, not text.
	if _, body := answer(t, base, newestAddress(backIDs[0], backIDs[1])); strings.Contains(body, "all syncs:") {
		t.Errorf("the not-found page still gives an address as text")
	}
}

// A record page's mistake, a cursor or a sync id that is not text, or a
// search too long, links to the nearest page that is loaded: the record's
// newest rows only where it has rows, else the record in every sync, else
// the sync it was asked in.
func TestRecordMistakeLinksToAPageThatIsLoaded(t *testing.T) {
	base := backFixture(t)
	long := strings.Repeat("x", 5000)
	for i, id := range backIDs {
		p := pagesOf(id)
		other := backIDs[(i+1)%len(backIDs)] // a sync without the record id
		toSync := "Newest runs of sync " + id
		toEvery := "Record " + id + " in every sync"
		checkBack(t, base, []backCase{
			{newestAddress(id, id) + "&before=garbage", 400, "Newest rows of record " + id, newestAddress(id, id), p.recordH1},
			{newestAddress(id, other) + "&before=garbage", 400, toEvery, newestAddress(id, ""), p.recordH1},
			{newestAddress("no such record", id) + "&before=garbage", 400, toSync, p.syncPath, p.syncH1},
			{newestAddress(id, "\xff"), 400, toEvery, newestAddress(id, ""), p.recordH1},
			{"/records?sync=" + url.QueryEscape(id) + "&q=" + long, 400, toSync, p.syncPath, p.syncH1},
		})
	}
	checkBack(t, base, []backCase{
		{path: newestAddress("no such record", "") + "?before=garbage", status: 400},
		{path: "/records?q=" + long, status: 400},
		{path: "/records?sync=no-such-sync&q=" + long, status: 400},
	})
}
