package web_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/web"
)

// Served by the daemon, the home page says how its last look at the bucket
// ended, which "Last load" cannot (a look that found nothing writes
// nothing): nothing new, objects loaded, or the failure as text; before the
// first look, that it is under way; the syncs whose typed views its last
// load could not rebuild, each with why, as text. serve, with no daemon,
// says none of it.
func TestHomeSaysLastCheck(t *testing.T) {
	f := generate(t)
	whURL := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	f.load(t, whURL)
	at := time.Date(2026, 12, 3, 14, 5, 6, 0, time.UTC)
	for _, c := range []struct {
		name    string
		checked func() (web.Checked, bool)
		want    []string
		not     []string
	}{
		{"nothing new", func() (web.Checked, bool) { return web.Checked{At: at}, true },
			[]string{"Last check of the bucket", "2026-12-03 14:05:06 UTC", "nothing new"}, []string{"failed:"}},
		{"loaded", func() (web.Checked, bool) { return web.Checked{At: at, Loaded: 1234}, true },
			[]string{"1,234 objects loaded"}, []string{"nothing new", "failed"}},
		// A look whose new object failed found something: it said
		// "nothing new" (a user audit).
		{"new failed", func() (web.Checked, bool) { return web.Checked{At: at, Failed: 1}, true },
			[]string{"1 failed (below)"}, []string{"nothing new", "objects loaded"}},
		{"loaded and failed", func() (web.Checked, bool) { return web.Checked{At: at, Loaded: 3, Failed: 2}, true },
			[]string{"3 objects loaded, 2 failed (below)"}, []string{"nothing new"}},
		{"failed", func() (web.Checked, bool) {
			return web.Checked{At: at, Err: `list bucket: <script>alert("x")</script> denied`}, true
		}, []string{"failed: list bucket: &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; denied", `class="bad"`}, []string{"<script>alert"}},
		{"stale views", func() (web.Checked, bool) {
			return web.Checked{At: at, Views: map[string]string{`<b>s2</b>`: "name taken <i>x</i>", "52275": "cannot drop view: dependents"}}, true
		}, []string{"Typed views not rebuilt (2)", `href="/syncs/52275"`, "cannot drop view: dependents",
			`href="/syncs/%3Cb%3Es2%3C%2Fb%3E">&lt;b&gt;s2&lt;/b&gt;</a>`, "name taken &lt;i&gt;x&lt;/i&gt;"}, []string{"<b>s2", "<i>x"}},
		{"before the first", func() (web.Checked, bool) { return web.Checked{}, false },
			[]string{"Last check of the bucket", "first look is under way"}, []string{"nothing new"}},
		{"serve", nil, nil, []string{"Last check of the bucket", "Typed views not rebuilt"}},
	} {
		srv := serve(t, web.Options{Open: openURL(t, whURL), Checked: c.checked})
		body := get(t, srv.URL+"/", http.StatusOK)
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: home page lacks %q", c.name, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(body, n) {
				t.Errorf("%s: home page has %q", c.name, n)
			}
		}
	}
}
