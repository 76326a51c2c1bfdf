package web_test

import (
	"context"
	dbsql "database/sql"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/web"
)

func TestCheckListen(t *testing.T) {
	for _, c := range []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:8090", "", true},
		{"127.8.9.10:8090", "", true},
		{"[::1]:8090", "", true},
		{"localhost:8090", "", true},
		{"0.0.0.0:8090", "", false},
		{":8090", "", false},
		{"[::]:8090", "", false},
		{"192.168.1.4:8090", "", false},
		{"example.com:8090", "", false},
		{"0.0.0.0:8090", "s3cret", true},
	} {
		err := web.CheckListen(c.addr, web.Auth{Token: c.token})
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, web.ErrOpenListen)) {
			t.Errorf("CheckListen(%q, token %q) = %v, want ok %v", c.addr, c.token, err, c.ok)
		}
	}
	// An address no listener takes is its own error, not a missing secret.
	for _, addr := range []string{"nonsense", "", "127.0.0.1:99999", "127.0.0.1:-1", "0.0.0.0:port!"} {
		err := web.CheckListen(addr, web.Auth{Token: "s3cret"})
		if err == nil || errors.Is(err, web.ErrOpenListen) || !strings.Contains(err.Error(), "want host:port") {
			t.Errorf("CheckListen(%q) = %v, want the address refused as such", addr, err)
		}
	}
}

// hostile is data written to be read as markup or script.
const (
	hostileID    = `<script>document.title="pwned-id"</script>`
	hostileMsg   = `<img src=x onerror="document.title='pwned-msg'">` + "\u202egnp.exe"
	spacedID     = "  spaced id "
	bidiID       = "\u202e" + hostileID
	hostileField = `"><svg onload="document.title='pwned-field'">`
	hostileValue = `</pre><script>document.title="pwned-value"</script>`
)

// addHostile writes one rejected record of hostile text into run run of
// sync sync, and a typed column of a hostile field name.
func addHostile(t *testing.T, path, sync, run string) {
	t.Helper()
	db, err := dbsql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	payload := `{"` + strings.ReplaceAll(hostileField, `"`, `\"`) + `": "` + strings.ReplaceAll(hostileValue, `"`, `\"`) + `", "n": 1}`
	if _, err := db.Exec(`INSERT INTO synctrack.sync_records (identifier, record_payload, operation, status, status_message,
  batch_started_at, sync_configuration_id, sync_run_id, org_id, _file, _row)
SELECT ?, ?, 'upsert', 'rejected', ?, max(batch_started_at), ?, ?, any_value(org_id), 'zz-hostile.parquet', 0
FROM synctrack.sync_records WHERE sync_configuration_id = ? AND sync_run_id = ?`,
		hostileID, payload, hostileMsg, sync, run, sync, run); err != nil {
		t.Fatal(err)
	}
	// Identifiers no trimming may change: spaces around, and none at all.
	for _, id := range []string{spacedID, "", bidiID} {
		if _, err := db.Exec(`INSERT INTO synctrack.sync_records (identifier, record_payload, operation, status, status_message,
  batch_started_at, sync_configuration_id, sync_run_id, org_id, _file, _row)
SELECT ?, '{}', 'upsert', 'rejected', 'm', max(batch_started_at), ?, ?, any_value(org_id), 'zz-hostile.parquet', 1
FROM synctrack.sync_records WHERE sync_configuration_id = ? AND sync_run_id = ?`, id, sync, run, sync, run); err != nil {
			t.Fatal(err)
		}
	}
	// The field's column joins the sync's typed view, as a load would add
	// it, so the run page reads the hostile name through the view.
	var view string
	if err := db.QueryRow(`SELECT any_value(view_name) FROM synctrack.payload_columns WHERE sync_configuration_id = ?`, sync).Scan(&view); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO synctrack.payload_columns VALUES (?, ?, ?, ?, 'string')`,
		sync, view, hostileField, hostileField+"_col"); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT field_name, column_name, column_type FROM synctrack.payload_columns WHERE sync_configuration_id = ?`, sync)
	if err != nil {
		t.Fatal(err)
	}
	var cols []dialects.PayloadColumn
	for rows.Next() {
		var c dialects.PayloadColumn
		if err := rows.Scan(&c.Field, &c.Column, &c.Type); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if _, err := db.Exec(dialects.DuckDB{}.TypedView("synctrack", view, sync, dialects.Names(dialects.RecordsColumns), cols)); err != nil {
		t.Fatal(err)
	}
}

// recorder wraps a warehouse and keeps every statement and its arguments.
type recorder struct {
	warehouse.Querier
	mu    sync.Mutex
	stmts []string
	args  []any
}

func (r *recorder) Query(ctx context.Context, sql string, args []warehouse.Arg) (warehouse.Rows, error) {
	r.mu.Lock()
	r.stmts = append(r.stmts, sql)
	for _, a := range args {
		r.args = append(r.args, a.Value)
	}
	r.mu.Unlock()
	return r.Querier.Query(ctx, sql, args)
}

// Every value from the data is text on the page, every value from the URL
// a bound argument, and the pages carry a CSP that runs no script at all.
func TestHostileDataAndURLs(t *testing.T) {
	f := generate(t)
	path := filepath.Join(t.TempDir(), "w.duckdb")
	whURL := "duckdb://" + path
	f.load(t, whURL)
	sync, run := f.biggestRun()
	addHostile(t, path, sync, run)
	open := openURL(t, whURL)
	rec := &recorder{}
	srv := serve(t, web.Options{Open: func(ctx context.Context) (warehouse.Querier, func(), error) {
		q, release, err := open(ctx)
		rec.Querier = q
		return rec, release, err
	}, PageSize: 500})

	runPath := "/syncs/" + url.PathEscape(sync) + "/runs/" + url.PathEscape(run)
	evil := `x' OR '1'='1"; DROP TABLE synctrack.sync_records; --`
	pages := map[string]int{
		"/":              200,
		"/syncs/" + sync: 200,
		runPath:          200,
		runPath + "?outcome=rejected&q=" + url.QueryEscape(hostileID):         200,
		"/records/" + url.PathEscape(hostileID) + "?sync=" + sync:             200,
		"/syncs/" + url.PathEscape(evil):                                      404,
		runPath + "?q=" + url.QueryEscape(evil):                               200,
		"/records/" + url.PathEscape(evil) + "?sync=" + url.QueryEscape(evil): 404,
		"/assets/style.css": 200,
		"/assets/":          404,
	}
	for p, status := range pages {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		if resp.StatusCode != status {
			t.Errorf("GET %s: %d, want %d: %.500s", p, resp.StatusCode, status, body)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") {
			t.Errorf("GET %s: CSP %q", p, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", p)
		}
		for _, bad := range []string{"<script", "<img", "<svg onload", " style=", "<style"} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s: the page holds %q", p, bad)
			}
		}
	}
	body := get(t, srv.URL+runPath+"?outcome=rejected&q="+url.QueryEscape(hostileID), 200)
	for _, want := range []string{"&lt;script&gt;document.title=&#34;pwned-id&#34;&lt;/script&gt;", "&lt;img src=x onerror=",
		"&lt;/pre&gt;&lt;script&gt;", "&#34;&gt;&lt;svg onload=",
		// the typed cell, read from the view by the hostile column's name
		`<td class="type">string</td><td class="mono">&lt;/pre&gt;&lt;script&gt;document.title=&#34;pwned-value&#34;&lt;/script&gt;</td>`} {
		if !strings.Contains(body, want) {
			t.Errorf("run page lacks the hostile text shown as text: %q", want)
		}
	}
	// A right-to-left override read "\u202egnp.exe" as "exe.png": shown.
	if strings.Contains(body, "\u202e") || !strings.Contains(body, "[U+202E]gnp.exe") {
		t.Errorf("run page shows the message's right-to-left override as it is, not as text")
	}
	// The search box holds the identifier as it is, so that searching
	// again finds it (shown as [U+202E] there, it found nothing: a
	// review); the rest of the page shows the control as text.
	again := get(t, srv.URL+runPath+"?q="+url.QueryEscape(bidiID), 200)
	if !strings.Contains(again, `value="`+"\u202e"+`&lt;script&gt;`) || !strings.Contains(again, "[U+202E]&lt;script&gt;") {
		t.Errorf("the search box does not hold the identifier as it is, or the page shows the control")
	}
	if strings.Contains(again, "No records with identifier") {
		t.Errorf("searching for an identifier with a control finds nothing")
	}
	if strings.Contains(body, "could not be read from the view") {
		t.Errorf("the run page could not read the typed view")
	}
	// An identifier with spaces around it is found as it is, by the page,
	// the download and the header's search, and its history page links
	// back; an empty one is shown, not linked to a page that cannot be.
	spaced := get(t, srv.URL+runPath+"?q="+url.QueryEscape(spacedID), 200)
	if !strings.Contains(spaced, `href="/records/`+url.PathEscape(spacedID)+`?sync=`) {
		t.Errorf("run page ?q=%q does not list the record", spacedID)
	}
	if csv := get(t, srv.URL+runPath+"/records.csv?q="+url.QueryEscape(spacedID), 200); strings.Count(csv, "\n") != 2 || !strings.Contains(csv, spacedID) {
		t.Errorf("download ?q=%q:\n%s", spacedID, csv)
	}
	get(t, srv.URL+"/records?q="+url.QueryEscape(spacedID)+"&sync="+sync, 200)
	all := get(t, srv.URL+runPath+"?outcome=rejected", 200)
	if !strings.Contains(all, "(empty identifier)") || strings.Contains(all, `href="/records/?`) {
		t.Errorf("run page: the empty identifier is not shown unlinked")
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, s := range rec.stmts {
		for _, v := range []string{evil, hostileID, "DROP TABLE"} {
			if strings.Contains(s, v) {
				t.Errorf("a value from the URL is in the SQL text:\n%s", s)
			}
		}
	}
	bound := map[any]bool{}
	for _, a := range rec.args {
		bound[a] = true
	}
	if !bound[evil] || !bound[hostileID] {
		t.Errorf("the URL's values were not bound as arguments: %v", rec.args)
	}
}

func TestReadOnlyAndToken(t *testing.T) {
	f := generate(t)
	whURL := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	f.load(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL), Auth: web.Auth{Token: "s3cret"}})
	do := func(method, auth string, basic bool) int {
		req, _ := http.NewRequest(method, srv.URL+"/", nil)
		if basic {
			req.SetBasicAuth("anyone", auth)
		} else if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		method, auth string
		basic        bool
		want         int
	}{
		{"GET", "", false, 401},
		{"GET", "wrong", false, 401},
		{"GET", "wrong", true, 401},
		{"GET", "s3cret", false, 200},
		{"GET", "s3cret", true, 200},
		{"POST", "s3cret", false, 405},
		{"DELETE", "s3cret", true, 405},
	} {
		if got := do(c.method, c.auth, c.basic); got != c.want {
			t.Errorf("%s with %q (basic %v): %d, want %d", c.method, c.auth, c.basic, got, c.want)
		}
	}
	// The scheme's name is case-insensitive; the token is not.
	for header, want := range map[string]int{"bearer s3cret": 200, "BEARER s3cret": 200, "Bearer  s3cret": 200,
		"Bearer S3CRET": 401, "Bearers3cret": 401, "Token s3cret": 401} {
		req, _ := http.NewRequest("GET", srv.URL+"/", nil)
		req.Header.Set("Authorization", header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Authorization: %s: %d, want %d", header, resp.StatusCode, want)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("Authorization: %s: %d without the CSP", header, resp.StatusCode)
		}
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
