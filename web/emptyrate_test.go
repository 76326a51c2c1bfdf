package web_test

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/web"
)

// A run with no records yet (its metadata.json alone) has no rejection
// rate: the pages say "—", where they said 0.0%, which reads as a run
// whose records all went through.
func TestRunWithoutRecordsHasNoRate(t *testing.T) {
	f := emptyFixture(t)
	dir := f.dir
	at := strp("2030-01-01 00:01:00+00")
	addRun(t, dir, "7", "s", "r1", "2030-01-01T00:00:00Z", []testRecord{{"a", strp("succeeded"), "", at}})
	addRun(t, dir, "7", "s", "r2", "2030-01-02T00:00:00Z", nil)
	whURL := "duckdb://" + filepath.Join(dir, "w.duckdb")
	f.load(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL)})

	rate := regexp.MustCompile(`<td class="num">([^<]*)</td>\s*</tr>`) // a row's last cell
	home := get(t, srv.URL+"/", http.StatusOK)
	homeRate := regexp.MustCompile(`<td class="num">([^<]*)</td>\s*<td><div class="spark">`)
	if m := homeRate.FindStringSubmatch(home); m == nil || m[1] != "—" {
		t.Errorf("the home page's rate of the latest run, r2, which has no records: %q", m)
	}
	hist := rate.FindAllStringSubmatch(get(t, srv.URL+"/syncs/s", http.StatusOK), -1)
	if len(hist) < 2 || hist[0][1] != "—" || hist[1][1] != "0.0%" {
		t.Errorf("Sync History's rates, r2 (no records) then r1 (one succeeded): %q", hist)
	}
	if run := get(t, srv.URL+"/syncs/s/runs/r2", http.StatusOK); !strings.Contains(run, "<dt>Rejection rate</dt><dd>—</dd>") {
		t.Error("r2's page gives a rejection rate")
	}
}
