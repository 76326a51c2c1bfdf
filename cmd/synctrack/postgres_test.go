package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/memguard"
	"github.com/synctrack/synctrack/internal/pgtest"
)

// One PostgreSQL server for this package's tests, started by the first test
// that asks (pgtest.URL); none otherwise.
// Past 8 GiB something ran away (the tests use well under 1 GiB): say
// where rather than be killed by the OOM killer without a word.
func TestMain(m *testing.M) {
	memguard.Watch(8 << 30)
	os.Exit(pgtest.Main(m))
}

// The commands take a postgres:// warehouse through the registry alone:
// load, status, report, records, views and retry, each as on the other
// engines; report and records bind their parameters.
func TestPostgresCommands(t *testing.T) {
	wh := pgtest.URL(t)
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "2", "--runs", "2", "--rows", "20")
	if code, out, errs := runCLIAll(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh); code != 0 {
		t.Fatalf("load: exit %d:\n%s\n%s", code, out, errs)
	}
	if code, out := runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh); code != 0 || !strings.Contains(out, "0 loaded now") {
		t.Fatalf("second load: exit %d:\n%s", code, out)
	}
	code, out := runCLI(t, "status", "--warehouse", wh)
	if code != 0 || !strings.Contains(out, "loaded") {
		t.Fatalf("status: exit %d:\n%s", code, out)
	}
	code, out = runCLI(t, "records", "--warehouse", wh, "--status", "rejected", "--limit", "3", "--format", "json")
	var recs []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &recs) != nil || len(recs) != 3 || recs[0]["outcome"] != "rejected" {
		t.Fatalf("records: exit %d:\n%s", code, out)
	}
	// jsonb comes back as text; the JSON output nests it, as DuckDB's.
	if _, ok := recs[0]["record_payload"].(map[string]any); !ok {
		t.Errorf("records --format json: record_payload is a %T, want an object", recs[0]["record_payload"])
	}
	// synctrack query: one statement, in a read-only transaction.
	u, _ := url.Parse(wh)
	schema := u.Query().Get("schema")
	code, out = runCLI(t, "query", "--warehouse", wh, "--format", "json", "SELECT count(*) AS n FROM "+schema+".sync_records")
	var n []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &n) != nil || len(n) != 1 || n[0]["n"] == float64(0) {
		_, _, errs := runCLIAll(t, "query", "--warehouse", wh, "SELECT count(*) AS n FROM "+schema+".sync_records")
		t.Fatalf("query: exit %d:\n%s\n%s", code, out, errs)
	}
	for stmt, says := range map[string]string{
		"DELETE FROM " + schema + ".sync_records":    "not a read-only query",
		"SELECT 1; SELECT 2":                         "more than one statement: PostgreSQL says ERROR: cannot insert multiple commands",
		"SELEC 1":                                    "PostgreSQL refused the query",
		"SELECT * FROM " + schema + ".no_such_table": "PostgreSQL refused the query",
		"SELECT 1/0 AS x":                            "division by zero",
		// A read-only transaction runs these; query refuses them before.
		"COPY (SELECT 1) TO STDOUT": "not a read-only query: PostgreSQL describes COPY as returning no rows",
		"DO $$ BEGIN NULL; END $$":  "not a read-only query: PostgreSQL describes DO as returning no rows",
	} {
		// Nothing on stdout: no table header, no "[" of a JSON list.
		for _, format := range []string{"table", "json"} {
			if code, out, errs := runCLIAll(t, "query", "--warehouse", wh, "--format", format, stmt); code != 2 || !strings.Contains(errs, says) || out != "" {
				t.Errorf("query --format %s %q: exit %d, %q, stdout %q; want 2 saying %q, stdout empty", format, stmt, code, errs, out, says)
			}
		}
	}
	if code, out := runCLI(t, "query", "--warehouse", wh, "SELECT count(*) FROM "+schema+".sync_records"); code != 0 || strings.Contains(out, " 0\n") {
		t.Errorf("the DELETE took rows away: exit %d:\n%s", code, out)
	}
	code, out = runCLI(t, "report", "run_summary", "--warehouse", wh, "--format", "csv")
	if code != 0 || !strings.Contains(out, "rejection_rate") || strings.Count(out, "\n") != 5 {
		t.Fatalf("report: exit %d:\n%s", code, out)
	}
	code, out = runCLI(t, "report", "rejections_by_message", "--warehouse", wh, "--sync", "x'; DROP TABLE sync_records; --")
	if code != 0 || !strings.Contains(out, "(0 rows)") {
		t.Fatalf("report with a hostile --sync: exit %d:\n%s", code, out)
	}
	if code, out := runCLI(t, "views", "--warehouse", wh); code != 0 || !strings.Contains(out, ".run_summary") {
		t.Fatalf("views: exit %d:\n%s", code, out)
	}
	if code, out := runCLI(t, "retry", "--warehouse", wh, "--all"); code != 0 {
		t.Fatalf("retry: exit %d:\n%s", code, out)
	}
	// A misspelt ?schema= is refused at start, naming the schemas there (it
	// was served, every page a 503 about missing counts); views and retry,
	// which change what a load made, refuse it too rather than make an
	// empty schema of that name and say all went well, as on DuckDB.
	q := u.Query()
	q.Set("schema", schema+"_typo")
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, args := range [][]string{{"status"}, {"serve", "--listen", "127.0.0.1:0"}, {"views"}, {"retry", "--all"}} {
		code, _, errs := runCLICtx(t, ctx, append(args, "--warehouse", u.String())...)
		if code != 2 || !strings.Contains(errs, `no schema "`+schema+`_typo"`) || !strings.Contains(errs, schema) {
			t.Errorf("%s with a misspelt schema: exit %d: %s", args[0], code, errs)
		}
	}
	code, out = runCLI(t, "query", "--warehouse", wh, "--format", "csv",
		"SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = '"+schema+"_typo'")
	if code != 0 || out != "n\n0\n" {
		t.Errorf("the misspelt schema was made: exit %d: %q", code, out)
	}
}
