package main

import (
	"context"
	dbsql "database/sql"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// requireChromium is the variable that turns a missing chromium into a
// failure (.ci/run installs it and sets it).
const requireChromium = "SYNCTRACK_REQUIRE_CHROMIUM"

// The pages in a real browser (Debian's chromium, headless): open /, follow
// a sync, a run, filter Rejected, search an identifier, download the CSV
// and compare it with synctrack records; hostile data shows as text and
// runs nothing. With SYNCTRACK_SCREENSHOTS=DIR it also saves the three
// main pages there (docs/ holds the README's).
func TestBrowser(t *testing.T) {
	chromium := needChromium(t)
	dir := t.TempDir() // the downloads
	wh, db := loadedWarehouse(t, "--orgs", "1", "--syncs", "3", "--runs", "6", "--rows", "80")
	hostileSync, hostileRun := addHostileRecord(t, db)
	base := startServe(t, "--warehouse", wh)

	b := &browserT{t: t, ctx: newTab(t, chromium, 1360, 3*time.Minute), shots: os.Getenv("SYNCTRACK_SCREENSHOTS")}

	b.open(base + "/")
	b.shot("home.png")
	b.follow("table.syncs tbody tr:first-child th a", "/syncs/")
	if h1 := b.text("h1"); !strings.Contains(h1, "Sync history") {
		t.Fatalf("sync page h1 %q", h1)
	}
	if n := b.eval(`document.querySelectorAll("svg.chart rect").length`); n == "0" {
		t.Error("the sync page's chart has no bars")
	}
	b.shot("sync.png")
	b.follow(`th a[href*="/runs/"]`, "/runs/")
	runPath := b.eval(`location.pathname`)
	parts := strings.Split(runPath, "/") // /syncs/S/runs/R
	sync, run := parts[2], parts[4]

	b.follow("nav.tabs a:nth-child(3)", "outcome=rejected")
	badges := b.eval(`[...document.querySelectorAll(".records tbody .badge")].map(e => e.textContent).join(",")`)
	if badges == "" || strings.Trim(strings.ReplaceAll(badges, "Rejected", ""), ",") != "" {
		t.Errorf("Rejected shows badges %q", badges)
	}
	b.do(chromedp.Click(chromedp.CSS(".records tbody tr:first-child details summary")))
	b.shot("run.png")
	ident := b.eval(`document.querySelector(".records tbody th a").textContent`)
	b.do(chromedp.SendKeys(chromedp.CSS("#q"), ident))
	b.do(chromedp.Submit(chromedp.CSS("#q")))
	b.waitLocation("q=")
	if got := b.eval(`[...new Set([...document.querySelectorAll(".records tbody th a")].map(e => e.textContent))].join(",")`); got != ident {
		t.Errorf("search for %q shows %q", ident, got)
	}
	if loc := b.eval(`location.search`); !strings.Contains(loc, "outcome=rejected") {
		t.Errorf("the search dropped the filter: %s", loc)
	}
	got := b.download(".downloads a", dir)
	csvOut := filepath.Join(dir, "cli.csv")
	if code, out := runCLI(t, "records", "--warehouse", wh, "--sync", sync, "--run", run, "--status", "rejected",
		"--identifier", ident, "--limit", "0", "--format", "csv", "--out", csvOut); code != 0 {
		t.Fatalf("records: %d %s", code, out)
	}
	want, _ := os.ReadFile(csvOut)
	if len(want) == 0 || string(got) != string(want) {
		t.Errorf("the downloaded CSV (%d bytes) is not synctrack records' (%d bytes)", len(got), len(want))
	}

	// Hostile data: shown as text, nothing runs, no element made from it.
	for _, p := range []string{
		"/syncs/" + hostileSync + "/runs/" + hostileRun + "?outcome=rejected",
		"/records/" + url.PathEscape(hostileIdent) + "?sync=" + hostileSync,
	} {
		b.open(base + p)
		b.do(chromedp.Click(chromedp.CSS(".records tbody tr:first-child details summary")))
		// The title names the record as text; a script would have replaced it.
		if title := b.eval(`document.title`); !strings.HasSuffix(title, " · synctrack") || strings.HasPrefix(title, "pwned") {
			t.Errorf("%s: a script ran: title %q", p, title)
		}
		if n := b.eval(`document.querySelectorAll("script, img, iframe, main svg:not(.chart):not(.bar)").length`); n != "0" {
			t.Errorf("%s: %s elements made from data", p, n)
		}
		text := b.eval(`document.body.innerText`)
		// The payload is shown as JSON, so its quotes are escaped there.
		for _, want := range []string{hostileIdent, hostileMessage, `</pre><iframe src=`, `<b onmouseover=alert(1)>field`} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the page does not show %q as text", p, want)
			}
		}
	}
}

const (
	hostileIdent   = `<script>document.title="pwned-id"</script>`
	hostileMessage = `<img src=x onerror="document.title='pwned-msg'">`
	hostileValue   = `</pre><iframe src="javascript:document.title='pwned-value'"></iframe>`
)

// addHostileRecord writes one rejected record of hostile text into the
// first run it finds and returns that run.
func addHostileRecord(t *testing.T, path string) (sync, run string) {
	t.Helper()
	db, err := dbsql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT sync_configuration_id, sync_run_id FROM synctrack.sync_records
ORDER BY sync_configuration_id, sync_run_id LIMIT 1`).Scan(&sync, &run); err != nil {
		t.Fatal(err)
	}
	payload := `{"<b onmouseover=alert(1)>field": ` + quoteJSON(hostileValue) + `}`
	if _, err := db.Exec(`INSERT INTO synctrack.sync_records (identifier, record_payload, operation, status, status_message,
  batch_started_at, sync_configuration_id, sync_run_id, org_id, _file, _row)
SELECT ?, ?, 'upsert', 'rejected', ?, max(batch_started_at), ?, ?, any_value(org_id), 'a-hostile.parquet', 0
FROM synctrack.sync_records WHERE sync_configuration_id = ? AND sync_run_id = ?`,
		hostileIdent, payload, hostileMessage, sync, run, sync, run); err != nil {
		t.Fatal(err)
	}
	return sync, run
}

func quoteJSON(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// browserT drives one tab and fails the test on any browser error.
// needChromium is the path of Debian's chromium; without it the test
// skips, or fails when requireChromium is set.
func needChromium(t *testing.T) string {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv(requireChromium) == "1" {
			t.Fatalf("no chromium (%v), and %s=1", err, requireChromium)
		}
		t.Skipf("no chromium here (install Debian's chromium, or set %s=1 to fail instead)", requireChromium)
	}
	return chromium
}

// newTab starts chromium headless with a window width px wide and opens a
// tab, closed when the test ends or after timeout.
func newTab(t *testing.T, chromium string, width int, timeout time.Duration) context.Context {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.Headless, chromedp.DisableGPU, chromedp.WindowSize(width, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(cancelTab)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancel)
	return ctx
}

type browserT struct {
	t     *testing.T
	ctx   context.Context
	shots string
}

func (b *browserT) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browserT) open(u string) {
	b.t.Helper()
	b.do(chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS("footer")))
}

func (b *browserT) eval(js string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

func (b *browserT) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// follow clicks a link and waits for the page whose address holds want.
func (b *browserT) follow(sel, want string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(sel)))
	b.waitLocation(want)
}

func (b *browserT) waitLocation(want string) {
	b.t.Helper()
	for i := 0; i < 200; i++ {
		if loc, err := chromedp.Run(b.ctx, chromedp.Location()); err == nil && strings.Contains(loc, want) {
			b.do(chromedp.WaitReady(chromedp.CSS("footer")))
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("never reached a page with %q", want)
}

func (b *browserT) shot(name string) {
	b.t.Helper()
	if b.shots == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// download clicks a download link and returns the file the browser saved.
func (b *browserT) download(sel, dir string) []byte {
	b.t.Helper()
	into := filepath.Join(dir, "downloads")
	progress := chromedp.Events(b.ctx, browser.DownloadProgress)
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: into, EventsEnabled: ptrTo(true)})
		return err
	}), chromedp.Click(chromedp.CSS(sel)))
	for ev, err := range progress {
		if err != nil {
			b.t.Fatal(err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			got, err := os.ReadFile(filepath.Join(into, ev.GUID))
			if err != nil {
				b.t.Fatal(err)
			}
			return got
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			b.t.Fatal("the download was cancelled")
		}
	}
	b.t.Fatal("no download")
	return nil
}

func ptrTo[T any](v T) *T { return &v }
