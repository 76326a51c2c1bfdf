package web_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
	"github.com/synctrack/synctrack/web"
)

// a11yServer serves a warehouse in which every table of every page has
// rows: a sync with rejections, new errors, a flapping record of several
// rows (a record page of more than one page), typed columns, an object that
// failed to load, and (as the daemon says) a typed view not rebuilt.
func a11yServer(t *testing.T) string {
	t.Helper()
	f := emptyFixture(t)
	rej, ok := strp("rejected"), strp("succeeded")
	for i, c := range []struct {
		status *string
		msg    string
	}{{rej, "bad email"}, {ok, ""}, {rej, "new thing wrong"}} {
		at := strp("2030-01-0" + string(rune('1'+i)) + " 00:00:00+00")
		addRun(t, f.dir, "7", "a11y", "r"+string(rune('1'+i)), "2030-01-0"+string(rune('1'+i))+"T00:00:00Z",
			[]testRecord{{"flap 1", c.status, c.msg, at}, {"steady", rej, "bad email", at}, {"fine", ok, "", at}})
	}
	// An object that is no parquet file: it fails to load, and the home
	// page lists it.
	addRun(t, f.dir, "7", "a11y", "r9", "2030-01-09T00:00:00Z", []testRecord{{"x", ok, "", strp("2030-01-09 00:00:00+00")}})
	if err := os.WriteFile(filepath.Join(f.dir, "sync_tracking_datasets", "7", "a11y", "r9", "records_updated.0.parquet"), []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	whURL := "duckdb://" + filepath.Join(f.dir, "w.duckdb")
	ctx := context.Background()
	b := testbucket.Open(t, f.bucketURL)
	_, w, err := engines.Open(ctx, whURL, warehouse.Options{Bucket: b, BucketURL: f.bucketURL, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := loader.New(b, f.dir, w, loader.Options{}).Load(ctx)
	w.Close()
	if err != nil || len(rep.Failed) != 1 {
		t.Fatalf("load: %v, %d failed; want the one object that is not parquet", err, len(rep.Failed))
	}
	checked := func() (web.Checked, bool) {
		return web.Checked{At: time.Now(), Views: map[string]string{"a11y": "name taken"}}, true
	}
	return serve(t, web.Options{Open: openURL(t, whURL), HistorySize: 1, PageSize: 2, Checked: checked}).URL
}

// a11yPages are the pages a11yServer serves, each with the tables it must
// show (by their headings' ids or captions' text, as named).
var a11yPages = []struct {
	path   string
	tables []string
}{
	{"/", []string{"Failed and quarantined objects (1)", "Typed views not rebuilt (1)", "Every sync, latest run"}},
	{"/syncs/a11y", []string{"Runs, newest first", "Top error fingerprints", "New errors in the latest run", "Flapping records, last 5 runs"}},
	{"/syncs/a11y/runs/r3", []string{"Records of run r3", "Typed columns", "Typed columns of sync_records_a11y"}},
	{"/syncs/a11y/runs/r3?outcome=rejected&q=flap+1", []string{"Records of run r3, Rejected, identifier “flap 1”", "Typed columns", "Typed columns of sync_records_a11y"}},
	{"/records/flap%201?sync=a11y", []string{"Rows of record flap 1 in sync a11y, newest first"}},
	{"/records/flap%201", []string{"Rows of record flap 1, newest first"}},
}

// Each page as a screen reader reads it and a keyboard moves through it:
// every table named (a caption, or the heading it is under), its header
// cells th with a scope, every table in a box of its own that scrolls (so a
// page at 375 px is no wider than the window), that box reachable by the
// keyboard and named, every input labelled, every chart a titled image or
// hidden beside its figures, every payload button naming its row.
func TestPagesAccessible(t *testing.T) {
	base := a11yServer(t)
	for _, p := range a11yPages {
		doc := parseHTML(t, get(t, base+p.path, http.StatusOK))
		var names []string
		for _, tb := range elements(doc, tagged("table")) {
			name := accessibleName(doc, tb)
			names = append(names, name)
			if name == "" {
				t.Errorf("%s: a table has no caption or accessible name (%s)", p.path, firstHeader(tb))
			}
			if ancestor(tb, "table") != nil {
				continue // in a cell of a table that scrolls
			}
			box := ancestor(tb, "div")
			if box == nil || !hasClass(box, "scroll") {
				t.Errorf("%s: table %q is not in a box of its own that scrolls (div.scroll)", p.path, name)
				continue
			}
			tab, _ := attr(box, "tabindex")
			role, _ := attr(box, "role")
			if tab != "0" || role != "region" || accessibleName(doc, box) != name {
				t.Errorf("%s: the box of table %q: tabindex %q, role %q, name %q; want 0, region and the table's name",
					p.path, name, tab, role, accessibleName(doc, box))
			}
		}
		for _, want := range p.tables {
			if !slices.Contains(names, want) {
				t.Errorf("%s: no table named %q (tables: %q)", p.path, want, names)
			}
		}
		for _, th := range elements(doc, tagged("th")) {
			if s, _ := attr(th, "scope"); s != "col" && s != "row" {
				t.Errorf("%s: a header cell %q has scope %q", p.path, textOf(th), s)
			}
		}
		for _, in := range elements(doc, tagged("input")) {
			if typ, _ := attr(in, "type"); typ == "hidden" {
				continue
			}
			if labelOf(doc, in) == "" {
				t.Errorf("%s: an input (name %q) has no label", p.path, attrOr(in, "name"))
			}
		}
		for _, svg := range elements(doc, tagged("svg")) {
			if h, _ := attr(svg, "aria-hidden"); h == "true" {
				continue
			}
			role, _ := attr(svg, "role")
			var title string
			for c := range svg.ChildNodes() {
				if c.Type == html.ElementNode && c.Data == "title" && title == "" {
					title = textOf(c)
				}
			}
			if role != "img" || title == "" {
				t.Errorf("%s: a chart (svg.%s) is role %q with title %q: no text for a screen reader", p.path, attrOr(svg, "class"), role, title)
			}
		}
		for _, cell := range elements(doc, tagged("td", "barcol")) {
			// A fingerprint's bar, its share of the largest, has it as text.
			if svg := elements(cell, tagged("svg")); len(svg) != 1 || !strings.HasSuffix(textOf(svg[0]), "% of the top fingerprint's records") {
				t.Errorf("%s: a fingerprint's bar has no text saying what it shows", p.path)
			}
		}
		for _, s := range elements(doc, tagged("summary")) {
			if ancestor(s, "table") != nil && !strings.HasPrefix(textOf(s), "payload of ") {
				t.Errorf("%s: a payload button reads %q, not which row's", p.path, textOf(s))
			}
		}
		ids := map[string]bool{}
		for _, e := range elements(doc, func(n *html.Node) bool { _, ok := attr(n, "id"); return ok }) {
			id, _ := attr(e, "id")
			if ids[id] {
				t.Errorf("%s: id %q twice: a label or a name that points at it is ambiguous", p.path, id)
			}
			ids[id] = true
		}
	}
}

// A payload button says which row it opens: on a run's page, the row's
// record; on a record's page, the row's run.
func TestPayloadButtonsNameTheirRow(t *testing.T) {
	base := a11yServer(t)
	for path, cell := range map[string]func(tr *html.Node) string{
		"/syncs/a11y/runs/r3": func(tr *html.Node) string { return textOf(elements(tr, tagged("th"))[0]) },
		"/records/flap%201?sync=a11y": func(tr *html.Node) string {
			return "run " + textOf(elements(tr, tagged("a"))[0])
		},
	} {
		rows := 0
		for _, tb := range elements(parseHTML(t, get(t, base+path, http.StatusOK)), tagged("table", "records")) {
			for _, tr := range elements(tb, tagged("tr")) {
				if ancestor(tr, "tbody") == nil || ancestor(tr, "table") != tb {
					continue
				}
				rows++
				want := "payload of " + cell(tr)
				if s := elements(tr, tagged("summary")); len(s) != 1 || textOf(s[0]) != want {
					t.Errorf("%s: a row's payload button is not %q", path, want)
				}
			}
		}
		if rows == 0 {
			t.Errorf("%s: no rows", path)
		}
	}
}

// The stylesheet shows where the keyboard is (not left to each browser's
// own ring, which the dark header hid in some), hides the screen readers'
// text inside the box of the table it belongs to (outside it, a cell's
// hidden text far right widened a phone's page), and lays the header out
// on a phone: it wraps, the search on a line of its own.
func TestStylesheetFocusAndNarrowScreens(t *testing.T) {
	base := a11yServer(t)
	resp, err := http.Get(base + "/assets/style.css")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	css := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(b), "")
	rules := map[string]string{} // a selector's declarations, a phone's too
	for _, m := range regexp.MustCompile(`([^{}]+)\{([^{}]*)\}`).FindAllStringSubmatch(css, -1) {
		rules[strings.TrimSpace(m[1])] += m[2]
	}
	for sel, want := range map[string][]string{
		":focus-visible":      {"outline: 2px solid"},
		".top :focus-visible": {"outline-color: #fff"},
		".vh":                 {"position: absolute", "clip-path: inset(50%)", "overflow: hidden"},
		".scroll":             {"overflow-x: auto", "position: relative"},
		".top":                {"flex-wrap: wrap"},
		".two > section":      {"min-width: 0"},
		".find":               {"flex: 1 1 100%"},
		".find input":         {"min-width: 0"},
		// The home table's last column, its charts, hidden whole.
		".syncs th:last-child, .syncs td:last-child": {"display: none"},
	} {
		for _, w := range want {
			if !strings.Contains(rules[sel], w) {
				t.Errorf("style.css: %s { %s } lacks %q", sel, strings.TrimSpace(rules[sel]), w)
			}
		}
	}
	if regexp.MustCompile(`outline(-style)?:\s*(none|0)\b`).MatchString(css) {
		t.Error("style.css takes an outline away: the keyboard's focus would not show")
	}
	if !strings.Contains(css, "@media (max-width: 640px)") {
		t.Error("style.css has no layout for a phone's width")
	}
}

// accessibleName is an element's name as aria-labelledby, aria-label or
// (a table) its caption gives it.
func accessibleName(doc, n *html.Node) string {
	if ids, ok := attr(n, "aria-labelledby"); ok {
		var parts []string
		for _, id := range strings.Fields(ids) {
			for _, e := range elements(doc, func(e *html.Node) bool { v, ok := attr(e, "id"); return ok && v == id }) {
				parts = append(parts, textOf(e))
			}
		}
		return strings.Join(parts, " ")
	}
	if l, ok := attr(n, "aria-label"); ok {
		return l
	}
	if n.Data == "table" {
		for c := range n.ChildNodes() {
			if c.Type == html.ElementNode && c.Data == "caption" {
				return textOf(c)
			}
		}
	}
	return ""
}

// labelOf is an input's label: a <label for=its id>, or aria-label.
func labelOf(doc, in *html.Node) string {
	if l, ok := attr(in, "aria-label"); ok {
		return l
	}
	id, ok := attr(in, "id")
	if !ok {
		return ""
	}
	for _, l := range elements(doc, tagged("label")) {
		if f, _ := attr(l, "for"); f == id {
			return textOf(l)
		}
	}
	return ""
}

func attrOr(n *html.Node, key string) string { v, _ := attr(n, key); return v }

// firstHeader is a table's first header cell, to say which table it is.
func firstHeader(tb *html.Node) string {
	if ths := elements(tb, tagged("th")); len(ths) > 0 {
		return "first header " + textOf(ths[0])
	}
	return "no header"
}
