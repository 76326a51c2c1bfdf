package web_test

import (
	"html"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/web"
)

// A record whose identifier is "." or ".." has a link a browser follows to
// its page: the URL standard reads %2E in a path as a dot, so a browser
// took /records/%2E%2E for /records/.. and opened the home page.
func TestDotIdentifiersLinkToTheirRecord(t *testing.T) {
	f := emptyFixture(t)
	dir := f.dir
	rej := strp("rejected")
	at := strp("2030-01-01 00:01:00+00")
	addRun(t, dir, "7", "dots", "r1", "2030-01-01T00:00:00Z", []testRecord{
		{".", rej, "one dot", at}, {"..", rej, "two dots", at}, {"plain", rej, "none", at}})
	whURL := "duckdb://" + filepath.Join(dir, "w.duckdb")
	f.load(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL)})

	run := get(t, srv.URL+"/syncs/dots/runs/r1", http.StatusOK)
	for _, id := range []string{".", ".."} {
		m := regexp.MustCompile(`<a href="([^"]*)">` + regexp.QuoteMeta(id) + `</a>`).FindStringSubmatch(run)
		if m == nil {
			t.Fatalf("the run page has no link for %q", id)
		}
		href := html.UnescapeString(m[1])
		page := get(t, srv.URL+asBrowser(href), http.StatusOK)
		if !strings.Contains(page, `<h1>Record <span class="mono">`+id+`</span></h1>`) {
			t.Errorf("%q: the link %s opens %s in a browser, not the record's page", id, href, asBrowser(href))
		}
		// The header's search box finds it too, and so does the not-found
		// page's link to every sync.
		get(t, srv.URL+"/records?q="+id, http.StatusOK)
		if missing := get(t, srv.URL+"/records?q="+id+"&sync=other", http.StatusNotFound); strings.Contains(missing, "/records/%2E") {
			t.Errorf("%q: the not-found page names a path a browser reads as dots", id)
		}
	}
}

// asBrowser is the path (and query) a browser requests for href: the URL
// standard removes a path's dot segments, "." and "..", and "%2e" (any case)
// is a dot there.
func asBrowser(href string) string {
	path, query, _ := strings.Cut(href, "?")
	var out []string
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, seg := range segs {
		dots := strings.ReplaceAll(strings.ToLower(seg), "%2e", ".")
		if dots == ".." && len(out) > 0 {
			out = out[:len(out)-1]
		}
		if dots != "." && dots != ".." {
			out = append(out, seg)
		} else if i == len(segs)-1 {
			out = append(out, "") // a dot segment last leaves the slash
		}
	}
	p := "/" + strings.Join(out, "/")
	if query != "" {
		p += "?" + query
	}
	return p
}
