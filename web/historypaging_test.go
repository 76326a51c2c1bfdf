package web_test

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
	"github.com/synctrack/synctrack/web"
)

// A record's page pages through its history by key: following the Older
// rows links from the newest page lists every row of the record in the
// warehouse once, in the page's order, across rows that tie on start and
// run (a run's rows; run r2 in two syncs) and rows with no start (last);
// synctrack report record_history lists them in the same order.
func TestRecordHistoryPagesDuckDB(t *testing.T) {
	checkHistoryPaging(t, "duckdb://"+filepath.Join(t.TempDir(), "w.duckdb"))
}

func TestRecordHistoryPagesPostgres(t *testing.T) {
	checkHistoryPaging(t, pgtest.URL(t))
}

const historyIdent = "REC 1/&"

func checkHistoryPaging(t *testing.T, whURL string) {
	f := emptyFixture(t)
	dir := f.dir
	day1, day2, day3 := strp("2030-01-01 00:00:00+00"), strp("2030-01-02 00:00:00+00"), strp("2030-01-03 00:00:00.123456+00")
	rows := func(batches ...*string) []testRecord {
		out := []testRecord{{"other", strp("succeeded"), "", day2}}
		for _, b := range batches {
			out = append(out, testRecord{historyIdent, strp("rejected"), "bad", b})
		}
		return out
	}
	addRun(t, dir, "7", "hp-a", "r1", "2030-01-01T00:00:00Z", rows(day1, day1, nil, day1, day1))
	addRun(t, dir, "7", "hp-a", "r2", "2030-01-02T00:00:00Z", rows(day2, nil, day2, day2, nil))
	addRun(t, dir, "7", "hp-a", "r3", "2030-01-02T00:00:00Z", rows(day2, day3, day2, day2))
	addRun(t, dir, "7", "hp-b", "r2", "2030-01-02T00:00:00Z", rows(day2, day2, nil))
	f.load(t, whURL)

	for _, sync := range []string{"", "hp-a"} {
		want := historyRows(t, whURL, sync)
		if len(want) < 10 {
			t.Fatalf("sync %q: %d rows of %q in the warehouse, want at least 10", sync, len(want), historyIdent)
		}
		if report := reportHistory(t, whURL, sync); !slices.Equal(report, want) {
			t.Errorf("sync %q: report record_history lists\n%v\nwant the page's order\n%v", sync, report, want)
		}
		for _, size := range []int{1, 4} {
			srv := serve(t, web.Options{Open: openURL(t, whURL), HistorySize: size})
			got, pages := walkHistory(t, srv.URL, recordPath(historyIdent, sync))
			if !slices.Equal(got, want) {
				t.Errorf("sync %q, %d a page: the pages list\n%v\nwant the warehouse's rows in order\n%v", sync, size, got, want)
			}
			if wantPages := (len(want) + size - 1) / size; pages != wantPages {
				t.Errorf("sync %q, %d a page: %d pages, want %d", sync, size, pages, wantPages)
			}
		}
	}

	srv := serve(t, web.Options{Open: openURL(t, whURL), HistorySize: 2})
	// Past the last row (as a bookmark is once retention drops its rows):
	// the record's page with no rows and the newest in a link; an unknown
	// record is not found.
	end := base64.RawURLEncoding.EncodeToString([]byte(`{"z":true,"k":"","f":"a"}`))
	body := get(t, srv.URL+recordPath(historyIdent, "")+"?before="+end, http.StatusOK)
	if historyRow.MatchString(body) || !newestLink.MatchString(body) || olderLink.MatchString(body) {
		t.Errorf("past the last row: the page is not an empty one with a link to the newest rows:\n%.3000s", body)
	}
	get(t, srv.URL+recordPath("no such record", "")+"?before="+end, http.StatusNotFound)

	tampered := []string{"not base64!"}
	for _, c := range []string{`not json`, `{}`, `{"k":"r1","n":2}`, `{"k":"r1","f":"\u0000","n":2}`, `{"k":"r1","f":"x","n":-1}`,
		`{"t":"2030-01-01T00:00:00Z","z":true,"k":"r1","f":"x"}`} {
		tampered = append(tampered, base64.RawURLEncoding.EncodeToString([]byte(c)))
	}
	for _, before := range tampered {
		body := get(t, srv.URL+recordPath(historyIdent, "")+"?before="+url.QueryEscape(before), http.StatusBadRequest)
		if !strings.Contains(body, "before: not a cursor this page made") {
			t.Errorf("?before=%s: the 400 page does not say why:\n%.1500s", before, body)
		}
	}
}

func recordPath(id, sync string) string {
	p := "/records/" + url.PathEscape(id)
	if sync != "" {
		p += "?sync=" + url.QueryEscape(sync)
	}
	return p
}

var (
	historyRow = regexp.MustCompile(`(?s)<tr>\s*<td class="nowrap">[^<]*</td>\s*<td class="mono">([^<]*)</td>\s*<td class="mono"><a href="[^"]*">([^<]*)</a></td>.*?<pre>([^<]*)</pre>`)
	newestLink = regexp.MustCompile(`<a href="[^"]*">Newest rows</a>`)
	olderLink  = regexp.MustCompile(`<a rel="next" href="([^"]*)">Older rows →</a>`)
)

// walkHistory follows a record page's Older rows links from path and
// returns each row as sync/run/k (k: its payload's number, its place in
// its file), and how many pages it read.
func walkHistory(t *testing.T, base, path string) (rows []string, pages int) {
	t.Helper()
	for path != "" {
		body := get(t, base+path, http.StatusOK)
		if pages++; pages > 100 {
			t.Fatal("paging never ends")
		}
		for _, m := range historyRow.FindAllStringSubmatch(body, -1) {
			var p struct{ K int }
			if err := json.Unmarshal([]byte(html.UnescapeString(m[3])), &p); err != nil {
				t.Fatalf("%s: payload %q: %v", path, m[3], err)
			}
			rows = append(rows, fmt.Sprintf("%s/%s/%d", html.UnescapeString(m[1]), html.UnescapeString(m[2]), p.K))
		}
		if newest := newestLink.MatchString(body); newest != (pages > 1) {
			t.Errorf("%s: page %d links to the newest rows: %v", path, pages, newest)
		}
		path = ""
		if m := olderLink.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
			if !strings.Contains(body, "<code>synctrack report record_history --identifier") {
				t.Errorf("page %d has older rows and no command for every row", pages)
			}
		}
	}
	return rows, pages
}

// historyRows are the record's rows in the warehouse as sync/run/k, in
// the record page's order, sorted here: newest start first, those with
// none last, then run id descending, then file and row.
func historyRows(t *testing.T, whURL, sync string) []string {
	t.Helper()
	ctx := context.Background()
	_, w, err := engines.Open(ctx, whURL, warehouse.Options{ReadOnly: true, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	d := w.Dialect()
	q := `SELECT sync_configuration_id, sync_run_id, batch_started_at, _file, _row, record_payload FROM ` +
		d.Table(w.Schema(), "sync_records") + ` WHERE identifier = ` + d.Placeholder(1, "identifier")
	args := []warehouse.Arg{{Name: "identifier", Value: historyIdent}}
	if sync != "" {
		q += ` AND sync_configuration_id = ` + d.Placeholder(2, "sync")
		args = append(args, warehouse.Arg{Name: "sync", Value: sync})
	}
	rs, err := w.Query(ctx, q, args)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	type hrow struct {
		sync, run, file string
		start           *time.Time
		row             int64
		k               int
	}
	var all []hrow
	for rs.Next() {
		var s, r, file, start, n, payload any
		if err := rs.Scan(&s, &r, &start, &file, &n, &payload); err != nil {
			t.Fatal(err)
		}
		h := hrow{sync: s.(string), run: r.(string), file: file.(string)}
		switch x := n.(type) {
		case int64:
			h.row = x
		case int32:
			h.row = int64(x)
		default:
			t.Fatalf("a _row of type %T", n)
		}
		if start != nil {
			st := start.(time.Time)
			h.start = &st
		}
		var p struct{ K int }
		switch x := payload.(type) {
		case string:
			err = json.Unmarshal([]byte(x), &p)
		case []byte:
			err = json.Unmarshal(x, &p)
		case map[string]any:
			p.K = int(x["k"].(float64))
		default:
			err = fmt.Errorf("a payload of type %T", payload)
		}
		if err != nil {
			t.Fatal(err)
		}
		h.k = p.K
		all = append(all, h)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(all, func(a, b hrow) int {
		switch {
		case a.start == nil && b.start != nil:
			return 1
		case a.start != nil && b.start == nil:
			return -1
		case a.start != nil && !a.start.Equal(*b.start):
			return b.start.Compare(*a.start)
		}
		return cmp.Or(strings.Compare(b.run, a.run), strings.Compare(a.file, b.file), cmp.Compare(a.row, b.row))
	})
	out := make([]string, len(all))
	for i, h := range all {
		out[i] = fmt.Sprintf("%s/%s/%d", h.sync, h.run, h.k)
	}
	return out
}
