package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
	"github.com/synctrack/synctrack/warehouse/snowflake"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
	"github.com/synctrack/synctrack/web"
)

// The pages on Snowflake, at the wire: the real driver sends each page's
// statements, rendered in Snowflake's dialect, to sffake, which answers
// them from a script (it runs no SELECTs of its own). What the pages show
// is the script's rows; what the test checks is what was sent: every URL
// value a bind parameter, never SQL text.
func TestPagesSnowflake(t *testing.T) {
	t.Setenv("SF_DISABLE_MINICORE", "true")
	t.Setenv(snowflake.EnvPassword, "s3cr3t-pw")
	f := sffake.New(t)
	_, w, err := engines.Open(context.Background(), f.URL(""), warehouse.Options{ReadOnly: true, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	open := func(context.Context) (warehouse.Querier, func(), error) { return w, func() {}, nil }
	txt := func(names ...string) []sffake.Column {
		cs := make([]sffake.Column, len(names))
		for i, n := range names {
			cs[i] = sffake.Column{Name: strings.ToUpper(n), Type: "text"}
		}
		return cs
	}
	const started = "2026-03-02T10:00:00Z"
	runCols := txt("org_id", "sync_id", "sync_run_id", "started_at", "files", "total", "succeeded", "rejected", "invalid", "rejection_rate")
	f.Answer("-- Every sync with its latest run", txt("org_id", "sync_id", "sync_run_id", "started_at", "total", "succeeded",
		"rejected", "invalid", "rejection_rate", "runs", "source_type", "destination_type", "destination_name"),
		[][]any{{"o1", "s-42", "r-7", started, "10", "7", "2", "1", "0.2", "3", "snowflake", "salesforce", "SFDC prod"}})
	f.Answer("-- Runs, records and rejections per sync", txt("day", "org_id", "sync_id", "runs", "total", "rejected"),
		[][]any{{"2026-03-02", "o1", "s-42", "1", "10", "2"}})
	f.Answer("-- The loader's ledger", txt("kind", "status", "objects", "loaded_rows", "last_loaded_at", "last_seen_at"),
		[][]any{{"records", "loaded", "3", "10", started, started}, {"records", "quarantined", "1", nil, nil, started}})
	f.Answer("-- Objects that failed", txt("object_key", "status", "attempts", "reason", "first_seen_at"),
		[][]any{{"sync_tracking_datasets/o1/s-42/r-7/bad.0.parquet", "quarantined", "3", "footer length garbage", started}})
	f.Answer("-- One sync's runs", runCols, [][]any{{"o1", "s-42", "r-7", started, "1", "10", "7", "2", "1", "0.2"}})
	f.Answer("-- One run's outcome counts", append(runCols, txt("source_type", "source_object_id", "destination_type",
		"destination_id", "destination_object_id", "workspace_id")...),
		[][]any{{"o1", "s-42", "r-7", started, "1", "10", "7", "2", "1", "0.2", "snowflake", "so1", "salesforce", "d1", "do1", "w1"}})
	f.Answer("-- One sync's error fingerprints", txt("fingerprint", "example", "records", "runs", "first_seen", "last_seen"),
		[][]any{{"bad email <email>", "bad email a@b", "2", "1", started, started}})
	f.Answer("-- The daemon's state", txt("sync_run_id", "state", "completed_at"), [][]any{{"r-7", "complete", started}})
	f.Answer("-- One sync's typed columns", txt("field_name", "column_name", "column_type", "view_name"),
		[][]any{{"Email", "email", "string", "sync_records_s_42"}})
	f.Answer("-- One run's records in file order", txt("identifier", "status", "status_message", "operation",
		"batch_started_at", "record_payload", "_file", "_row"),
		[][]any{{"CUST-1", "rejected", "bad email a@b", "upsert", started, `{"Email":"a@b"}`, "k/records.0.parquet", "4"}})
	f.Answer("-- One page of a run's records as the sync's typed view", txt("_file", "_row", "t0"),
		[][]any{{"k/records.0.parquet", "4", "a@b.typed"}})
	f.Answer("-- Error fingerprints of one sync's latest", txt("sync_run_id", "started_at", "fingerprint", "example", "records"),
		[][]any{{"r-7", started, "quota <n> exceeded", "quota 5 exceeded", "4"}, {"r-6", "2026-03-01T10:00:00Z", "bad email <email>", "bad email x@y", "1"}})
	f.Answer("-- Records of one sync whose outcome changed", txt("record_identifier", "runs", "changes", "outcomes"),
		[][]any{{"CUST-9", "3", "2", "success,rejected,success"}})
	historyCols := txt("batch_started_at", "sync_id", "sync_run_id", "operation", "status", "status_message", "record_payload", "_file", "_row")
	f.Answer("-- One record identifier's rows", historyCols,
		[][]any{{started, "s-42", "r-7", "upsert", "rejected", "bad email a@b", `{"Email":"a@b"}`, "k/records.0.parquet", "4"}})
	f.Answer("-- The record browser", txt("batch_started_at", "org_id", "sync_id", "sync_run_id", "record_identifier", "outcome"),
		[][]any{{started, "o1", "s-42", "r-7", "CUST-1", "rejected"}})
	srv := serve(t, web.Options{Open: open})

	evil := `'); DROP TABLE x; --`
	for path, want := range map[string]string{
		"/":           `href="/syncs/s-42/runs/r-7"`,
		"/syncs/s-42": "bad email &lt;email&gt;",
		"/syncs/s-42/runs/r-7?outcome=rejected&q=" + url.QueryEscape(evil): `<th scope="row" class="mono">email</th><td class="type">string</td><td class="mono">a@b.typed</td>`,
		"/records/" + url.PathEscape(evil) + "?sync=s-42":                  "bad email a@b",
	} {
		f.Reset()
		if body := get(t, srv.URL+path, 200); !strings.Contains(body, want) {
			t.Errorf("GET %s lacks %q:\n%.1500s", path, want, body)
		}
		for _, s := range f.Statements() {
			if strings.Contains(s, evil) || strings.Contains(s, "s-42") {
				t.Errorf("GET %s sent a URL value as SQL text:\n%s", path, s)
			}
			// What a load counted is read from the counts: only a run's
			// records, a record's rows and the latest runs' flapping
			// records read sync_records.
			if strings.Contains(s, `"SYNC_RECORDS"`) && (path == "/" || strings.HasPrefix(path, "/syncs/") &&
				!strings.Contains(s, "-- Records of one sync whose outcome changed") && !strings.Contains(s, "-- One run's records")) {
				t.Errorf("GET %s scans sync_records:\n%s", path, s)
			}
		}
		if strings.Contains(path, "q=") || strings.HasPrefix(path, "/records/") {
			found := false
			for _, b := range f.Bindings() {
				for _, v := range b {
					found = found || v.Value == evil
				}
			}
			if !found {
				t.Errorf("GET %s: %q was not bound: %v", path, evil, f.Bindings())
			}
		}
	}
	checkHistoryCursorBound(t, f, open, historyCols, evil)

	body := fetch(t, srv.URL+"/syncs/s-42/runs/r-7/records.csv?outcome=rejected", "text/csv")
	if !strings.Contains(body, "CUST-1") || !strings.HasPrefix(strings.ToLower(body), "batch_started_at,") {
		t.Errorf("csv download:\n%s", body)
	}
}

// checkHistoryCursorBound follows a record page's Older rows link on
// Snowflake: the cursor's start, run and file reach it as bind values (the
// row, a number the page parsed, as a literal), never as SQL text.
func checkHistoryCursorBound(t *testing.T, f *sffake.Server, open web.Opener, cols []sffake.Column, evil string) {
	t.Helper()
	file := "k/" + evil + ".parquet"
	f.Answer("-- One record identifier's rows", cols, [][]any{
		{"2026-03-02T10:00:00.123456Z", "s-42", "r-" + evil, "upsert", "rejected", "bad email a@b", `{"Email":"a@b"}`, file, "17"},
		{"2026-03-01T10:00:00Z", "s-42", "r-6", "upsert", "succeeded", "", `{"Email":"a@c"}`, "k/records.1.parquet", "0"}})
	srv := serve(t, web.Options{Open: open, HistorySize: 1})
	m := olderLink.FindStringSubmatch(get(t, srv.URL+"/records/CUST-1?sync=s-42", 200))
	if m == nil {
		t.Fatal("a record page of one row a page, with two rows, has no Older rows link")
	}
	f.Reset()
	get(t, srv.URL+html.UnescapeString(m[1]), 200)
	var sent string
	for _, s := range f.Statements() {
		if strings.Contains(s, "-- One record identifier's rows") {
			sent = s
		}
	}
	if !strings.Contains(sent, "r._row > 17") || strings.Contains(sent, evil) || strings.Contains(sent, "2026-03-02") {
		t.Errorf("the older rows' statement does not bind its cursor:\n%s", sent)
	}
	bound := map[any]bool{}
	for _, b := range f.Bindings() {
		for _, v := range b {
			bound[v.Value] = true
			if strings.HasPrefix(v.Type, "TIMESTAMP") {
				bound["a time"] = true
			}
		}
	}
	for _, want := range []any{file, "r-" + evil, "a time"} {
		if !bound[want] {
			t.Errorf("the older rows' statement did not bind %v: %v", want, f.Bindings())
		}
	}
}
