package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/web"
)

// When Sync History cuts its new errors or flapping records, the command it
// suggests for the rest gives the rest (--limit 0: report's default is 50)
// and names the sync as one shell argument: a sync id is a bucket folder's
// name, and "s x&'y" pasted bare ran y.
func TestSyncHistoryHintIsOneShellCommand(t *testing.T) {
	f := emptyFixture(t)
	dir := f.dir
	const sync = `s x&'y`
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett", "kilo", "lima"}
	run := func(n int, rejected bool, prefix string) {
		var rows []testRecord
		for i, w := range words {
			r := testRecord{fmt.Sprintf("id-%d", i), strp("succeeded"), "", strp(fmt.Sprintf("2030-01-0%d 00:01:00+00", n))}
			if rejected {
				r.status, r.message = strp("rejected"), prefix+" "+w
			}
			rows = append(rows, r)
		}
		addRun(t, dir, "7", sync, fmt.Sprintf("r%d", n), fmt.Sprintf("2030-01-0%dT00:00:00Z", n), rows)
	}
	// Each record flaps (success, rejected, success, rejected); the latest
	// run's messages are all new.
	run(1, false, "")
	run(2, true, "old failure")
	run(3, false, "")
	run(4, true, "new failure")
	whURL := "duckdb://" + filepath.Join(dir, "w.duckdb")
	f.load(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL)})

	page := get(t, srv.URL+"/syncs/"+url.PathEscape(sync), http.StatusOK)
	cmds := regexp.MustCompile(`<code>(synctrack report [^<]*)</code>`).FindAllStringSubmatch(page, -1)
	if len(cmds) != 2 {
		t.Fatalf("want the two cut lists' commands, got %q", cmds)
	}
	for _, m := range cmds {
		cmd := html.UnescapeString(m[1])
		// The shell reads it as the words report would get.
		words, err := exec.Command("sh", "-c", `set -- `+strings.TrimPrefix(cmd, "synctrack ")+`; for a; do printf '<%s>' "$a"; done`).Output()
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		name := strings.Fields(cmd)[2]
		if want := "<report><" + name + "><--sync><" + sync + "><--limit><0>"; string(words) != want {
			t.Errorf("%s reads in a shell as %s, want %s", cmd, words, want)
		}
	}
}

// A record page shows a record's latest rows; past them it gives the
// command for every row, the identifier and the sync one shell argument
// each (a record seen in every run of an hourly sync has 200 rows in nine
// days, and the page said only "the latest 200").
func TestRecordPageHintGivesEveryRow(t *testing.T) {
	f := emptyFixture(t)
	dir := f.dir
	const sync, id = `s x&'y`, `id $(x) 'q'`
	var rows []testRecord
	for range 201 {
		rows = append(rows, testRecord{id, strp("succeeded"), "", strp("2030-01-01 00:01:00+00")})
	}
	addRun(t, dir, "7", sync, "r1", "2030-01-01T00:00:00Z", rows)
	whURL := "duckdb://" + filepath.Join(dir, "w.duckdb")
	f.load(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL)})

	page := get(t, srv.URL+"/records/"+url.PathEscape(id)+"?sync="+url.QueryEscape(sync), http.StatusOK)
	m := regexp.MustCompile(`<code>(synctrack report [^<]*)</code>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the page of a record with 201 rows gives no command for the rest:\n%s", page)
	}
	cmd := html.UnescapeString(m[1])
	words, err := exec.Command("sh", "-c", `set -- `+strings.TrimPrefix(cmd, "synctrack ")+`; for a; do printf '<%s>' "$a"; done`).Output()
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	if want := "<report><record_history><--identifier><" + id + "><--sync><" + sync + "><--limit><0>"; string(words) != want {
		t.Errorf("%s reads in a shell as %s, want %s", cmd, words, want)
	}
}
