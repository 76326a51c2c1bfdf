package web_test

import (
	"encoding/csv"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// dotIDs are sync, run and record ids of dots: "." and ".." are a path's
// own dots to a browser, escaped or not, and "..." is not.
var dotIDs = []string{".", "..", "...", "a"}

// Every link to a sync or a run of dots, on every page that gives one,
// is one a browser follows to that page: the URL standard reads %2E in a
// path as a dot, so /syncs/%2E%2E opened the list of every sync. Its
// downloads are that run's records, and the record's page links back to
// them.
func TestDotSyncAndRunIDsLinkToTheirPages(t *testing.T) {
	base := idsFixture(t, dotIDs)
	for _, id := range dotIDs {
		// The pages as a reader reaches them: the sync from every sync's
		// list, its run from it, the record from the run; and the record
		// in every sync at its address.
		pages := map[string]string{"/": get(t, base+"/", http.StatusOK)}
		order := []string{"/"}
		for range 3 {
			from := order[len(order)-1]
			href := linkNamed(t, pages[from], id)
			page := browserURL(t, browserURL(t, base+"/", from).String(), href).RequestURI()
			pages[page], order = get(t, base+page, http.StatusOK), append(order, page)
		}
		every := newestAddress(id, "")
		pages[every], order = get(t, base+every, http.StatusOK), append(order, every)
		for _, page := range order {
			for _, a := range elements(parseHTML(t, pages[page]), tagged("a")) {
				href, _ := attr(a, "href")
				if href == "/" || strings.HasPrefix(href, "/assets/") || page == "/" && textOf(a) != id {
					continue // the list of every sync, or another id's row
				}
				followed(t, base, page, href, id)
			}
		}
	}
}

// linkNamed is the href of page's first link whose text is id.
func linkNamed(t *testing.T, page, id string) string {
	t.Helper()
	for _, a := range elements(parseHTML(t, page), tagged("a")) {
		if textOf(a) == id {
			href, _ := attr(a, "href")
			return href
		}
	}
	t.Fatalf("no link named %q on:\n%.2000s", id, page)
	return ""
}

// followed asks what a browser asks for href on page, and checks that it
// is a page of id's: its h1 names id, or a download of id's run.
func followed(t *testing.T, base, page, href, id string) {
	t.Helper()
	link := browserURL(t, browserURL(t, base+"/", page).String(), href)
	resp, err := http.Get(link.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%q: on %s, %s opens %s in a browser: %d", id, page, href, link.RequestURI(), resp.StatusCode)
		return
	}
	switch {
	case strings.HasSuffix(link.Path, "/records.csv"):
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(rows) != 2 || column(rows[0], "sync_run_id") < 0 || rows[1][column(rows[0], "sync_run_id")] != id {
			t.Errorf("%q: on %s, %s downloads another run's records (%v):\n%.300s", id, page, href, err, body)
		}
	case strings.HasSuffix(link.Path, "/records.json"):
		var rows []map[string]any
		if err := json.Unmarshal(b, &rows); err != nil || len(rows) != 1 || rows[0]["sync_run_id"] != id {
			t.Errorf("%q: on %s, %s downloads another run's records (%v):\n%.300s", id, page, href, err, body)
		}
	case strings.HasSuffix(link.Path, "/records.parquet"):
		if !strings.HasPrefix(body, "PAR1") {
			t.Errorf("%q: on %s, %s downloads no parquet file:\n%.300s", id, page, href, body)
		}
	case !strings.Contains(body, `<span class="mono">`+html.EscapeString(id)+`</span></h1>`):
		t.Errorf("%q: on %s, %s opens %s in a browser, not a page of %q", id, page, href, link.RequestURI(), id)
	}
}

func column(header []string, name string) int {
	for i, h := range header {
		if h == name {
			return i
		}
	}
	return -1
}

// browserURL is href as a browser resolves it on the page at base: the
// URL standard's dot segments, in which "%2e" (any case) is a dot, are
// removed by ResolveReference as RFC 3986's "." and "..".
func browserURL(t *testing.T, base, href string) *url.URL {
	t.Helper()
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	path, query, hasQuery := strings.Cut(href, "?")
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if dots := strings.ReplaceAll(strings.ToLower(seg), "%2e", "."); dots == "." || dots == ".." {
			segs[i] = dots
		}
	}
	path = strings.Join(segs, "/")
	if hasQuery {
		path += "?" + query
	}
	ref, err := url.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	return b.ResolveReference(ref)
}
