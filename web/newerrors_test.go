package web_test

import (
	"html"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/web"
)

// A sync whose latest run has no rejections has no new errors: the page
// must not take the latest run that has some for the latest run, and
// list as new what that older run added (the new_errors template says
// nothing is new).
func TestNewErrorsLatestRunWithoutRejectionsDuckDB(t *testing.T) {
	checkNewErrorsLatestClean(t, "duckdb://"+filepath.Join(t.TempDir(), "w.duckdb"))
}

func TestNewErrorsLatestRunWithoutRejectionsPostgres(t *testing.T) {
	checkNewErrorsLatestClean(t, pgtest.URL(t))
}

func checkNewErrorsLatestClean(t *testing.T, whURL string) {
	f := generate(t)
	ok, rej := strp("succeeded"), strp("rejected")
	at := func(s string) *string { return strp(s) }
	// Run a: error A. Run b: errors A and B (B is new there). Run c, the
	// latest: every record succeeded, so nothing is new.
	addRun(t, f.dir, "77", "ne-sync", "a", "2030-01-01T00:00:00Z", []testRecord{
		{"r1", rej, "error A", at("2030-01-01 00:01:00+00")}, {"r2", ok, "", at("2030-01-01 00:01:00+00")}})
	addRun(t, f.dir, "77", "ne-sync", "b", "2030-01-02T00:00:00Z", []testRecord{
		{"r1", rej, "error A", at("2030-01-02 00:01:00+00")}, {"r2", rej, "error B", at("2030-01-02 00:01:00+00")}})
	addRun(t, f.dir, "77", "ne-sync", "c", "2030-01-03T00:00:00Z", []testRecord{
		{"r1", ok, "", at("2030-01-03 00:01:00+00")}, {"r2", ok, "", at("2030-01-03 00:01:00+00")}})
	f.load(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL)})

	newSection := func(body string) string {
		return body[strings.Index(body, `id="new"`):strings.Index(body, `id="flap"`)]
	}
	if got := newSection(get(t, srv.URL+"/syncs/ne-sync", http.StatusOK)); strings.Contains(got, "error B") || !strings.Contains(got, `class="empty"`) {
		t.Errorf("the latest run (c) has no rejections, yet the page lists new errors:\n%s", html.UnescapeString(got))
	}
	// Once the latest run has a new rejection, it is listed, and only it.
	addRun(t, f.dir, "77", "ne-sync", "d", "2030-01-04T00:00:00Z", []testRecord{
		{"r1", rej, "error C", at("2030-01-04 00:01:00+00")}, {"r2", rej, "error B", at("2030-01-04 00:01:00+00")}})
	f.load(t, whURL)
	got := newSection(get(t, srv.URL+"/syncs/ne-sync", http.StatusOK))
	if !strings.Contains(got, "error C") || strings.Contains(got, "error B") {
		t.Errorf("the latest run's new error is error C alone:\n%s", html.UnescapeString(got))
	}
}
