package web_test

import (
	"fmt"
	"html"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/web"
)

// Sync History pages through every run, those without a start too (a
// metadata.json without started_at and no records yet; records whose
// batch start is NULL): they come last, and the next links reach them.
func TestSyncHistoryPagesRunsWithoutStartDuckDB(t *testing.T) {
	checkRunsWithoutStart(t, "duckdb://"+filepath.Join(t.TempDir(), "w.duckdb"))
}

func TestSyncHistoryPagesRunsWithoutStartPostgres(t *testing.T) {
	checkRunsWithoutStart(t, pgtest.URL(t))
}

func checkRunsWithoutStart(t *testing.T, whURL string) {
	f := generate(t)
	var want []string
	for i := range 5 {
		run := fmt.Sprintf("t%d", i)
		addRun(t, f.dir, "77", "ns-sync", run, fmt.Sprintf("2030-01-%02dT00:00:00Z", i+1), nil)
		want = append(want, run)
	}
	addRun(t, f.dir, "77", "ns-sync", "n1", "", nil)
	addRun(t, f.dir, "77", "ns-sync", "n2", "", []testRecord{{"r1", strp("rejected"), "no start", nil}})
	addRun(t, f.dir, "77", "ns-sync", "n3", "", nil)
	want = append(want, "n1", "n2", "n3")
	f.load(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL), PageSize: 2})

	runRe := regexp.MustCompile(`<a href="/syncs/ns-sync/runs/([^"?]+)">`)
	nextRe := regexp.MustCompile(`<a rel="next" href="([^"]*)">`)
	var got []string
	path := "/syncs/ns-sync"
	for pages := 0; path != "" && pages < 20; pages++ {
		body := get(t, srv.URL+path, http.StatusOK)
		for _, m := range runRe.FindAllStringSubmatch(body, -1) {
			if !slices.Contains(got, m[1]) {
				got = append(got, m[1])
			}
		}
		path = ""
		if m := nextRe.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Sync History's pages list runs %v, want %v", got, want)
	}
}
