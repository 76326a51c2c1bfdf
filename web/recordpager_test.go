package web_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/synctrack/synctrack/web"
)

// pagerIdents are identifiers a record's address has to escape: a slash,
// a query's and a fragment's marks, a space, non-ASCII, and the dots no
// path names in a browser (their page is the search's address).
var pagerIdents = []string{"a/b ?#é &x", ".."}

// pagerFixture is a warehouse where each of pagerIdents has three rows in
// sync pg-1 and "solo" one, and its server showing one row a page.
func pagerFixture(t *testing.T) string {
	t.Helper()
	f := emptyFixture(t)
	rej := strp("rejected")
	for i, run := range []string{"r1", "r2", "r3"} {
		at := strp("2030-01-0" + string(rune('1'+i)) + " 00:00:00+00")
		rows := []testRecord{{"solo", rej, "bad", at}}
		for _, id := range pagerIdents {
			rows = append(rows, testRecord{id, rej, "bad", at})
		}
		if i > 0 {
			rows = rows[1:]
		}
		addRun(t, f.dir, "7", "pg-1", run, "2030-01-0"+string(rune('1'+i))+"T00:00:00Z", rows)
	}
	whURL := "duckdb://" + filepath.Join(f.dir, "w.duckdb")
	f.load(t, whURL)
	return serve(t, web.Options{Open: openURL(t, whURL), HistorySize: 1}).URL
}

// newestAddress is the record page's address as a reader types it: the
// search's for the dots.
func newestAddress(id, sync string) string {
	if id == "." || id == ".." {
		v := url.Values{"q": {id}}
		if sync != "" {
			v.Set("sync", sync)
		}
		return "/records?" + v.Encode()
	}
	return recordPath(id, sync)
}

// pagerLinks are a pager's links as text -> href.
func pagerLinks(nav *html.Node) []string {
	var out []string
	for _, a := range elements(nav, tagged("a")) {
		href, _ := attr(a, "href")
		out = append(out, textOf(a)+" -> "+href)
	}
	return out
}

// A record's page with another page of rows has the pager above its table
// as well as below, the same links in each; a page that is all of the
// record's rows has only the one below (empty).
func TestRecordPagerAboveTheTable(t *testing.T) {
	base := pagerFixture(t)
	for _, id := range pagerIdents {
		path, seen := newestAddress(id, "pg-1"), 0
		for path != "" {
			seen++
			doc := parseHTML(t, get(t, base+path, http.StatusOK))
			navs := elements(doc, tagged("nav", "pager"))
			tables := elements(doc, tagged("table", "records"))
			if len(navs) != 2 || len(tables) != 1 {
				t.Fatalf("%q page %d: %d pagers and %d tables, want a pager each side of the one table", id, seen, len(navs), len(tables))
			}
			if !before(doc, navs[0], tables[0]) || before(doc, navs[1], tables[0]) {
				t.Errorf("%q page %d: the pagers are not above and below the table", id, seen)
			}
			top, bottom := pagerLinks(navs[0]), pagerLinks(navs[1])
			if !slices.Equal(top, bottom) || len(top) == 0 {
				t.Errorf("%q page %d: above the table %v, below it %v; want the same links", id, seen, top, bottom)
			}
			l0, _ := attr(navs[0], "aria-label")
			l1, _ := attr(navs[1], "aria-label")
			if l0 == "" || l0 == l1 {
				t.Errorf("%q page %d: the pagers are named %q and %q: two landmarks, one name each", id, seen, l0, l1)
			}
			path = ""
			for _, a := range elements(navs[0], tagged("a")) {
				if rel, _ := attr(a, "rel"); rel == "next" {
					path, _ = attr(a, "href")
				}
			}
			if seen > 5 {
				t.Fatal("paging never ends")
			}
		}
		if seen != 3 {
			t.Errorf("%q: %d pages of one row, want 3", id, seen)
		}
	}

	doc := parseHTML(t, get(t, base+recordPath("solo", "pg-1"), http.StatusOK))
	if navs := elements(doc, tagged("nav", "pager")); len(navs) != 1 || len(pagerLinks(navs[0])) != 0 {
		t.Errorf("a record of one page has %d pagers (want the one, empty, below its table)", len(navs))
	}
}

// A record page's ?before= that is no cursor of the page's is a 400 whose
// page links to the record's newest rows: its address, sync and all,
// without the cursor, escaped as the record page's own links are.
func TestBadHistoryCursorLinksToTheNewestRows(t *testing.T) {
	base := pagerFixture(t)
	for _, id := range pagerIdents {
		for _, sync := range []string{"pg-1", ""} {
			newest := newestAddress(id, sync)
			// The Newest rows link of the record's second page is the
			// address the 400 page should give.
			second := ""
			for _, a := range elements(parseHTML(t, get(t, base+newest, http.StatusOK)), tagged("a")) {
				if rel, _ := attr(a, "rel"); rel == "next" {
					second, _ = attr(a, "href")
				}
			}
			if second == "" {
				t.Fatalf("%q in %q: no second page", id, sync)
			}
			var want string
			for _, a := range elements(parseHTML(t, get(t, base+second, http.StatusOK)), tagged("a")) {
				if textOf(a) == "Newest rows" {
					want, _ = attr(a, "href")
				}
			}
			sep := "?"
			if strings.Contains(newest, "?") {
				sep = "&"
			}
			for _, bad := range []string{"not a cursor", "e30"} { // e30 is {}
				page := get(t, base+newest+sep+"before="+url.QueryEscape(bad), http.StatusBadRequest)
				var got []string
				for _, a := range elements(parseHTML(t, page), tagged("a")) {
					if strings.HasPrefix(textOf(a), "Newest rows of record") {
						href, _ := attr(a, "href")
						got = append(got, href)
						if textOf(a) != "Newest rows of record "+id {
							t.Errorf("%q in %q: the link reads %q", id, sync, textOf(a))
						}
					}
				}
				if len(got) != 1 || got[0] != want {
					t.Errorf("%q in %q, before=%s: the 400 page links to %q, want the newest rows' %q", id, sync, bad, got, want)
					continue
				}
				// And it is the record's page in a browser, not the home page.
				if p := get(t, base+asBrowser(got[0]), http.StatusOK); !strings.Contains(p, `<h1>Record <span class="mono">`+html.EscapeString(id)+`</span></h1>`) {
					t.Errorf("%q in %q: the link %s is not the record's page", id, sync, got[0])
				}
			}
		}
	}
}

// An error page with no page to go to instead has no link for one: an
// empty <a> read "link" to a screen reader and led back to the page.
func TestErrorPageWithoutBackHasNoEmptyLink(t *testing.T) {
	base := pagerFixture(t)
	for _, p := range []string{"/syncs/no-such-sync", "/no-such-page", recordPath("no such record", "")} {
		for _, a := range elements(parseHTML(t, get(t, base+p, http.StatusNotFound)), tagged("a")) {
			if href, _ := attr(a, "href"); href == "" || textOf(a) == "" {
				t.Errorf("GET %s: a link %q to %q", p, textOf(a), href)
			}
		}
	}
}
