package main

import (
	"strings"
	"testing"
)

// sql render reads its --param values as report reads its flags: an empty
// one is a filter left out (it rendered a filter on an empty sync id,
// which matches no row), and an empty count is refused as report's
// --limit "" is.
func TestSQLRenderParamsAsReport(t *testing.T) {
	code, want := runCLI(t, "sql", "render", "records")
	if code != 0 {
		t.Fatalf("sql render records: exit %d", code)
	}
	code, got := runCLI(t, "sql", "render", "records", "--param", "sync=", "--param", "run=",
		"--param", "identifier=", "--param", "status=", "--param", "since=")
	if code != 0 || got != want {
		t.Errorf("empty --param values: exit %d, SQL differs from none given:\n%s", code, got)
	}
	code, _, stderr := runCLIAll(t, "sql", "render", "records", "--param", "limit=")
	if code != 2 || !strings.Contains(stderr, `limit=""`) {
		t.Errorf("--param limit=: exit %d, want 2 naming it: %s", code, stderr)
	}
	// An empty value of a parameter the template does not take is left
	// out too, as report run_summary --identifier "" is (a review).
	_, want = runCLI(t, "sql", "render", "run_summary")
	code, got = runCLI(t, "sql", "render", "run_summary", "--param", "identifier=")
	if code != 0 || got != want {
		t.Errorf("run_summary --param identifier=: exit %d:\n%s", code, got)
	}
}

// sql render refuses a --schema that report refuses in its warehouse URL,
// with the same check and reason (it rendered any name, empty included,
// into SQL that would not run), and one left empty on every dialect.
func TestSQLRenderSchemaAsReport(t *testing.T) {
	for _, c := range []struct {
		dialect, schema, url, why string
	}{
		{"duckdb", "memory", "duckdb://./w.duckdb?schema=memory", "one of DuckDB's own catalogs"},
		{"postgres", "pg_x", "postgres://u@h/db?schema=pg_x", "reserves names beginning pg_"},
		{"postgres", strings.Repeat("s", 64), "postgres://u@h/db?schema=" + strings.Repeat("s", 64), "keeps 63"},
		{"bigquery", "sync-logs", "bigquery://my-project/sync-logs", "letters, digits and underscores"},
		{"bigquery", "My_Project.synctrack", "bigquery://My_Project/synctrack", "not a Google Cloud project id"},
	} {
		code, _, stderr := runCLIAll(t, "sql", "render", "run_summary", "--dialect", c.dialect, "--schema", c.schema)
		if code != 2 || !strings.Contains(stderr, `--schema "`+c.schema+`"`) || !strings.Contains(stderr, c.why) {
			t.Errorf("sql render --dialect %s --schema %q: exit %d, want 2 saying %q: %s", c.dialect, c.schema, code, c.why, stderr)
		}
		code, _, stderr = runCLIAll(t, "report", "run_summary", "--warehouse", c.url)
		if code != 2 || !strings.Contains(stderr, c.why) {
			t.Errorf("report --warehouse %s: exit %d, want 2 saying %q: %s", c.url, code, c.why, stderr)
		}
	}
	for _, d := range []string{"duckdb", "snowflake", "bigquery", "postgres"} {
		code, _, stderr := runCLIAll(t, "sql", "render", "run_summary", "--dialect", d, "--schema", "")
		if code != 2 || !strings.Contains(stderr, `--schema ""`) {
			t.Errorf("sql render --dialect %s --schema '': exit %d, want 2: %s", d, code, stderr)
		}
	}
	for d, schema := range map[string]string{"bigquery": "my-project.synctrack", "snowflake": "SYNCTRACK_PROD", "postgres": "Sync Logs"} {
		if code, out, stderr := runCLIAll(t, "sql", "render", "run_summary", "--dialect", d, "--schema", schema); code != 0 {
			t.Errorf("sql render --dialect %s --schema %q: exit %d: %s%s", d, schema, code, out, stderr)
		}
	}
}
