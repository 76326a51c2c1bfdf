package main

import (
	dbsql "database/sql"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// At 1280 px, a common laptop's width, and at 375 px, a phone's, no page
// is wider than the window (a wide table scrolls in its own box): the home
// table had its charts off the page, a run's long destination id (a value
// from metadata.json) made its page three windows wide, and on a phone the
// header's search stuck out of every page and the sync page's two small
// tables out of it.
func TestBrowserPagesFitTheWindow(t *testing.T) {
	b, base, pages := browserPages(t)
	for _, width := range []int64{1280, 375} {
		b.do(chromedp.EmulateViewport(width, 900))
		for _, p := range pages {
			b.open(base + p)
			if w := b.eval(`document.documentElement.scrollWidth - document.documentElement.clientWidth`); w != "0" {
				t.Errorf("%s is %s px wider than a %d px window", p, w, width)
			}
		}
	}
}

// Tabbing through a run's page, each stop shows where it is: an outline of
// the page's own, not the browser's ring (which some draw faintly or not at
// all on the dark header).
func TestBrowserFocusIsVisible(t *testing.T) {
	b, base, pages := browserPages(t)
	b.open(base + pages[2])
	seen := map[string]bool{}
	for range 16 {
		b.do(chromedp.KeyEvent(kb.Tab))
		got := b.eval(`(() => { const e = document.activeElement, s = getComputedStyle(e);
  return e.tagName + (e.className ? "." + e.className : "") + " " + s.outlineStyle + " " + s.outlineWidth; })()`)
		tag, outline, _ := strings.Cut(got, " ")
		seen[strings.SplitN(tag, ".", 2)[0]] = true
		if outline != "solid 2px" {
			t.Errorf("tab to %s: outline %q, want solid 2px", tag, outline)
		}
	}
	for _, tag := range []string{"A", "INPUT", "BUTTON", "DIV", "SUMMARY"} {
		if !seen[tag] {
			t.Errorf("16 tabs never reached a %s: %v", tag, seen)
		}
	}
}

// The pages leave the browser's console empty: no CSP violation, no
// script error, no failed request (a browser asked every page for
// /favicon.ico, a 404 in its console each time).
func TestBrowserConsoleIsQuiet(t *testing.T) {
	b, base, pages := browserPages(t)
	var mu sync.Mutex
	var said []string
	b.do(chromedp.Navigate("about:blank")) // the tab is made before the console is read
	go func() {
		for m, err := range chromedp.Console(b.ctx) {
			if err != nil {
				return
			}
			mu.Lock()
			said = append(said, m.String())
			mu.Unlock()
		}
	}()
	for _, p := range pages {
		b.open(base + p)
	}
	b.open(base + "/#end") // the last page's requests are done once this one is
	mu.Lock()
	defer mu.Unlock()
	for _, m := range said {
		t.Errorf("console: %s", m)
	}
}

// browserPages serves a generated bucket, one run of it with a destination
// id of 300 characters and no space, and opens a chromium tab 1280 px wide:
// it returns the tab, the pages' base URL and the paths of /, that run's
// sync, that run and the record page of one of its identifiers.
func browserPages(t *testing.T) (*browserT, string, []string) {
	chromium := needChromium(t)
	wh, db := loadedWarehouse(t, "--orgs", "1", "--syncs", "3", "--runs", "3", "--rows", "40")
	sync, run, ident := longDestinationID(t, db)
	base := startServe(t, "--warehouse", wh)

	b := &browserT{t: t, ctx: newTab(t, chromium, 1280, 2*time.Minute)}
	syncPath := "/syncs/" + url.PathEscape(sync)
	return b, base, []string{"/", syncPath, syncPath + "/runs/" + url.PathEscape(run),
		"/records/" + url.PathEscape(ident) + "?sync=" + url.QueryEscape(sync)}
}

// longDestinationID gives a run a destination id of 300 characters and no
// space, and returns the run and an identifier of it.
func longDestinationID(t *testing.T, path string) (sync, run, ident string) {
	t.Helper()
	db, err := dbsql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`UPDATE synctrack.sync_runs SET destination_id = repeat('D', 300)
WHERE sync_run_id = (SELECT min(sync_run_id) FROM synctrack.sync_runs)
RETURNING sync_configuration_id, sync_run_id`).Scan(&sync, &run); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT min(identifier) FROM synctrack.sync_records
WHERE sync_configuration_id = ? AND sync_run_id = ?`, sync, run).Scan(&ident); err != nil {
		t.Fatal(err)
	}
	return sync, run, ident
}

// Every badge's text stands out from its tint by 4.5:1 (WCAG AA for text
// of its size): the bars' colours gave Invalid 3.4:1 and Success 3.9:1.
func TestBrowserBadgesAreReadable(t *testing.T) {
	b, base, pages := browserPages(t)
	// A sync (its runs' state) and a run (Success, Rejected, Invalid).
	for p, want := range map[string]string{pages[1]: "badge open", pages[2]: "badge invalid,badge rejected,badge success"} {
		b.open(base + p)
		kinds, low, _ := strings.Cut(b.eval(badgeContrast), "|")
		if kinds != want {
			t.Errorf("%s: badges %q, want %q", p, kinds, want)
		}
		if low != "" {
			t.Errorf("%s: badges under 4.5:1: %s", p, low)
		}
	}
}

// badgeContrast is the page's badge kinds, then "|" and those whose text
// and background contrast less than 4.5:1, with their ratio.
const badgeContrast = `(() => {
  const lum = c => {
    const [r, g, b] = c.match(/\d+/g).slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const seen = {}, low = [];
  for (const e of document.querySelectorAll(".badge")) {
    const s = getComputedStyle(e);
    const [a, b] = [lum(s.color), lum(s.backgroundColor)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    seen[e.className] = true;
    if (ratio < 4.5) low.push(e.className + " " + ratio.toFixed(2));
  }
  return Object.keys(seen).sort().join(",") + "|" + [...new Set(low)].join(",");
})()`
