package web_test

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/web"
)

// A record's badge is the outcome its run's filter and counts give it:
// statuses are lowered as SQL's lower() lowers them (A-Z only), so
// "ſucceeded" (a long s, which Unicode case folding takes for an s) is
// invalid on the badge as under ?outcome=invalid, on the run page and the
// record page alike.
func TestOutcomeBadgeIsTheFiltersDuckDB(t *testing.T) {
	checkOutcomeBadge(t, "duckdb://"+filepath.Join(t.TempDir(), "w.duckdb"))
}

func TestOutcomeBadgeIsTheFiltersPostgres(t *testing.T) {
	checkOutcomeBadge(t, pgtest.URL(t))
}

func checkOutcomeBadge(t *testing.T, whURL string) {
	f := generate(t)
	at := strp("2030-01-01 00:01:00+00")
	addRun(t, f.dir, "77", "ob-sync", "r", "2030-01-01T00:00:00Z", []testRecord{
		{"long-s", strp("ſucceeded"), "", at}, {"upper", strp("SUCCEEDED"), "", at},
		{"upper-rej", strp("REJECTED"), "m", at}, {"plain", strp("succeeded"), "", at}})
	f.load(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL)})

	want := map[string]string{"long-s": "invalid", "upper": "success", "upper-rej": "rejected", "plain": "success"}
	for _, o := range []string{"success", "rejected", "invalid"} {
		idents, outcomes, _ := walk(t, srv.URL, "/syncs/ob-sync/runs/r?outcome="+o)
		for i, id := range idents {
			if want[id] != o || outcomes[i] != o {
				t.Errorf("?outcome=%s lists %s with the badge %s (its outcome: %s)", o, id, outcomes[i], want[id])
			}
		}
	}
	badgeRe := regexp.MustCompile(`<span class="badge (success|rejected|invalid)">`)
	body := get(t, srv.URL+"/records/long-s?sync=ob-sync", http.StatusOK)
	if m := badgeRe.FindStringSubmatch(body); m == nil || m[1] != "invalid" {
		t.Errorf("record page's badge for status ſucceeded: %v, want invalid:\n%.1500s", m, body[strings.Index(body, "<table"):])
	}
}
