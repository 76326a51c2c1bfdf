package web_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/web"
)

// A sync of one run says "1 run", on its row and in its chart's words.
func TestHomeSaysOneRun(t *testing.T) {
	f := emptyFixture(t)
	dir := f.dir
	at := strp("2030-01-01 00:01:00+00")
	addRun(t, dir, "7", "one", "r1", "2030-01-01T00:00:00Z", []testRecord{{"a", strp("succeeded"), "", at}})
	addRun(t, dir, "7", "two", "r1", "2030-01-01T00:00:00Z", []testRecord{{"a", strp("succeeded"), "", at}})
	addRun(t, dir, "7", "two", "r2", "2030-01-01T01:00:00Z", []testRecord{{"a", strp("succeeded"), "", at}})
	whURL := "duckdb://" + filepath.Join(dir, "w.duckdb")
	f.load(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL), Now: func() time.Time { return time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC) }})

	home := get(t, srv.URL+"/", http.StatusOK)
	for _, want := range []string{"org 7 · 1 run</div>", "<desc>1 run from ", "org 7 · 2 runs</div>", "<desc>2 runs from "} {
		if !strings.Contains(home, want) {
			t.Errorf("the home page lacks %q", want)
		}
	}
	if strings.Contains(home, "1 runs") {
		t.Error(`the home page says "1 runs"`)
	}
}
