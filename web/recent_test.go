package web_test

import (
	"context"
	"html"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/reportrun"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/web"
)

// collect keeps rows as "a|b|c" strings of the named columns.
type collect struct {
	names []string
	idx   []int
	rows  []string
}

func (c *collect) Begin(cols []export.Column) error {
	for _, n := range c.names {
		c.idx = append(c.idx, slices.IndexFunc(cols, func(col export.Column) bool { return col.Name == n }))
	}
	return nil
}

func (c *collect) Row(vals []any) error {
	var parts []string
	for _, i := range c.idx {
		parts = append(parts, export.Text(vals[i]))
	}
	c.rows = append(c.rows, strings.Join(parts, "|"))
	return nil
}

func (c *collect) Close() error { slices.Sort(c.rows); return nil }

var (
	flapRe = regexp.MustCompile(`<td class="mono"><a href="/records/[^"]*">([^<]*)</a></td><td class="num">(\d+)</td><td class="mono">([^<]*)</td>`)
	newRe  = regexp.MustCompile(`(?s)<td class="msg"><span class="mono">([^<]*)</span>.*?<td class="num">([0-9,]+)</td></tr>`)
)

// The sync page's new errors and flapping records, read from the counts
// and the latest runs only, say what the analysis templates new_errors and
// flapping_records (which read every row of sync_log) say for that sync.
func TestRecentRunsMatchTemplates(t *testing.T) {
	f := generate(t)
	whURL := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	f.load(t, whURL)
	open := openURL(t, whURL)
	srv := serve(t, web.Options{Open: open})
	ctx := context.Background()
	// The templates read through the pages' handle, a request's worth at a
	// time: this process reads the file as the pages do (an instance of
	// its own would have to wait for them, as a load does).
	run := func(name string, v analysis.Values, ew export.Writer) error {
		q, release, err := open(ctx)
		if err != nil {
			return err
		}
		defer release()
		_, err = reportrun.Run(ctx, q, name, v, ew)
		return err
	}
	syncs := map[string]bool{}
	for _, r := range f.rows {
		syncs[r.sync] = true
	}
	flapping, fresh := 0, 0
	for s := range syncs {
		body := get(t, srv.URL+"/syncs/"+s, http.StatusOK)
		v := analysis.Values{analysis.ParamSync: s, analysis.ParamN: 5}
		flaps := &collect{names: []string{"record_identifier", "changes", "outcomes"}}
		if err := run("flapping_records", v, flaps); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range flapRe.FindAllStringSubmatch(body, -1) {
			got = append(got, html.UnescapeString(m[1]+"|"+m[2]+"|"+m[3]))
		}
		slices.Sort(got)
		if want := flaps.rows[:min(10, len(flaps.rows))]; len(flaps.rows) <= 10 && !slices.Equal(got, want) {
			t.Errorf("sync %s flapping: page %v, template %v", s, got, want)
		}
		flapping += len(got)

		news := &collect{names: []string{"fingerprint", "rejected"}}
		if err := run("new_errors", v, news); err != nil {
			t.Fatal(err)
		}
		section := body[strings.Index(body, `id="new"`):strings.Index(body, `id="flap"`)]
		got = nil
		for _, m := range newRe.FindAllStringSubmatch(section, -1) {
			got = append(got, html.UnescapeString(m[1])+"|"+strings.ReplaceAll(m[2], ",", ""))
		}
		slices.Sort(got)
		if len(news.rows) <= 10 && !slices.Equal(got, news.rows) {
			t.Errorf("sync %s new errors: page %v, template %v", s, got, news.rows)
		}
		fresh += len(got)
	}
	if flapping == 0 || fresh == 0 {
		t.Errorf("the bucket has %d flapping records and %d new errors on the pages: the comparison proves too little", flapping, fresh)
	}
}
