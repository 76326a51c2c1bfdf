package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/web"
)

// A run whose metadata.json is loaded and no records yet (a run just begun,
// or one with nothing to sync) is on every page: the home page's latest run
// of its sync, Sync History with no records, its run page with none.
func TestMetadataOnlyRunDuckDB(t *testing.T) {
	checkMetadataOnlyRun(t, "duckdb://"+filepath.Join(t.TempDir(), "w.duckdb"))
}

func TestMetadataOnlyRunPostgres(t *testing.T) {
	checkMetadataOnlyRun(t, pgtest.URL(t))
}

func checkMetadataOnlyRun(t *testing.T, whURL string) {
	f := generate(t)
	sync, run := f.biggestRun()
	org := f.where(func(r rawRow) bool { return r.sync == sync })[0].org
	// The run's metadata.json again, as a new run started a day after the
	// bucket's last; and a sync with no records at all.
	src := filepath.Join(f.dir, "sync_tracking_datasets", org, sync, run, "metadata.json")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	write := func(syncID, runID string) {
		delete(m, "runStartedAt") // the generator writes either spelling
		m["syncConfigurationId"], m["syncRunId"], m["startedAt"] = syncID, runID, "2030-01-02T03:04:05.000Z"
		out, _ := json.Marshal(m)
		dir := filepath.Join(f.dir, "sync_tracking_datasets", org, syncID, runID)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "metadata.json"), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(sync, "empty-run")
	write("quiet-sync", "first-run")
	f.load(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL), PageSize: pageSize})

	home := get(t, srv.URL+"/", http.StatusOK)
	for _, want := range []string{`href="/syncs/` + url.PathEscape(sync) + `/runs/empty-run"`, `href="/syncs/quiet-sync"`,
		`href="/syncs/quiet-sync/runs/first-run"`} {
		if !strings.Contains(home, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	hist := get(t, srv.URL+"/syncs/"+url.PathEscape(sync), http.StatusOK)
	if !strings.Contains(hist, `href="/syncs/`+url.PathEscape(sync)+`/runs/empty-run"`) || !strings.Contains(hist, `runs/`+url.PathEscape(run)+`"`) {
		t.Errorf("Sync History lacks the metadata-only run or the loaded one")
	}
	for _, p := range []string{"/syncs/" + url.PathEscape(sync) + "/runs/empty-run", "/syncs/quiet-sync/runs/first-run"} {
		if body := get(t, srv.URL+p, http.StatusOK); !strings.Contains(body, "No records") || !strings.Contains(body, "2030-01-02") {
			t.Errorf("%s: no empty run started 2030-01-02:\n%.2000s", p, body)
		}
	}
	get(t, srv.URL+"/syncs/quiet-sync", http.StatusOK)
	get(t, srv.URL+"/syncs/quiet-sync/runs/no-such-run", http.StatusNotFound)
}
