package main

import (
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/warehouse/snowflake"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// sfWarehouse starts the wire-level fake Snowflake and returns its URL; the
// real driver logs in with the password from the environment.
func sfWarehouse(t *testing.T) (*sffake.Server, string) {
	t.Setenv("SF_DISABLE_MINICORE", "true")
	t.Setenv(snowflake.EnvPassword, "s3cr3t-pw")
	f := sffake.New(t)
	return f, f.URL("")
}

// sfBucket generates a bucket (generate's flags) into an in-process S3
// server and returns its URL: Snowflake loads only buckets a stage can be
// over, so a Snowflake load is never given a local folder.
func sfBucket(t *testing.T, args ...string) string {
	url := testbucket.S3(t, "sync-logs")
	testbucket.Upload(t, url, generateBucket(t, args...))
	return url
}

// TestStatusSnowflake: status reads the ledger of a Snowflake warehouse that
// load just filled, through the real driver, and on a schema without tables
// reports nothing loaded and creates nothing.
func TestStatusSnowflake(t *testing.T) {
	f, wh := sfWarehouse(t)
	code, out := runCLI(t, "status", "--warehouse", wh)
	if code != 0 || !strings.Contains(out, "last object loaded: never") {
		t.Fatalf("status on an empty schema: exit %d:\n%s", code, out)
	}
	for _, s := range f.Statements() {
		if !strings.HasPrefix(s, "SELECT") {
			t.Errorf("status wrote to the warehouse: %s", s)
		}
	}

	bucket := sfBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "2", "--rows", "20")
	if code, out := runCLI(t, "load", "--bucket", bucket, "--warehouse", wh); code != 0 {
		t.Fatalf("load: exit %d: %s", code, out)
	}
	f.Reset()
	code, out = runCLI(t, "status", "--warehouse", wh)
	if code != 0 || !strings.Contains(out, "records loaded") || !strings.Contains(out, "metadata loaded") ||
		!strings.Contains(out, "last object loaded: 2") {
		t.Fatalf("status after a load: exit %d:\n%s", code, out)
	}
	t.Logf("status:\n%s", out)
	stmts := f.Statements()
	if len(stmts) != 1 || !strings.Contains(stmts[0], `FROM "SYNCTRACK"."LOAD_LEDGER"`) {
		t.Errorf("status statements: %q", stmts)
	}
}

// TestStatusMissingDuckDB: status takes no bucket, for any engine; a DuckDB
// file that is not there yet is a usage error, as before.
func TestStatusMissingDuckDB(t *testing.T) {
	code, out := runCLI(t, "status", "--warehouse", "duckdb://"+filepath.Join(t.TempDir(), "none.duckdb"))
	if code != 2 {
		t.Fatalf("status on a missing DuckDB file: exit %d:\n%s", code, out)
	}
}

var sfLogColumns = []sffake.Column{{Name: "BATCH_STARTED_AT", Type: "text"}, {Name: "ORG_ID", Type: "text"},
	{Name: "SYNC_ID", Type: "text"}, {Name: "SYNC_RUN_ID", Type: "text"}, {Name: "RECORD_IDENTIFIER", Type: "text"},
	{Name: "OUTCOME", Type: "text"}, {Name: "STATUS", Type: "text"}, {Name: "STATUS_MESSAGE", Type: "text"}}

// TestReportAndRecordsSnowflake: report and records run the Snowflake
// templates through the real driver, parameters bound (:1, :2), never pasted
// into the SQL, and stream the scripted rows out.
func TestReportAndRecordsSnowflake(t *testing.T) {
	f, wh := sfWarehouse(t)
	f.Answer(`FROM "SYNCTRACK"."SYNC_LOG"`, sfLogColumns, [][]any{
		{"2025-11-19 10:00:00", "org1", "52275", "run2", "CUST-1", "rejected", "rejected", "INVALID_EMAIL: it's bad"},
		{"2025-11-19 10:00:00", "org1", "52275", "run2", "CUST-2", "rejected", "rejected", nil},
	})
	hostile := "52275' OR 1=1 --"
	code, out := runCLI(t, "records", "--warehouse", wh, "--sync", hostile, "--status", "rejected", "--format", "csv")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) != 3 || recs[1][7] != "INVALID_EMAIL: it's bad" || recs[2][7] != "" {
		t.Fatalf("records --format csv: exit %d, %v:\n%s", code, err, out)
	}
	stmts, binds := f.Statements(), f.Bindings()
	q := stmts[len(stmts)-1]
	if !strings.Contains(q, "l.sync_id = :1") || !strings.Contains(q, "l.outcome = :2") || strings.Contains(q, hostile) {
		t.Errorf("records SQL does not bind its parameters:\n%s", q)
	}
	if b := binds[len(binds)-1]; b["1"].Value != hostile || b["2"].Value != "rejected" {
		t.Errorf("records bindings: %+v", b)
	}

	f.Reset()
	f.Answer(`"SYNCTRACK"."SYNC_LOG"`, []sffake.Column{{Name: "STATUS_MESSAGE", Type: "text"},
		{Name: "REJECTED", Type: "fixed"}}, [][]any{{"INVALID_EMAIL", "2"}})
	code, out = runCLI(t, "report", "rejections_by_message", "--warehouse", wh, "--run", "run2", "--format", "json")
	var rows []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 {
		t.Fatalf("report --format json: exit %d:\n%s", code, out)
	}
	stmts = f.Statements()
	if len(stmts) != 1 || !strings.Contains(stmts[0], ":1") || f.Bindings()[0]["1"].Value != "run2" {
		t.Errorf("report statements %q, bindings %+v", stmts, f.Bindings())
	}
	// BigQuery runs reports too (test/bigquery); a bad URL is still a usage error.
	if code, out := runCLI(t, "report", "run_summary", "--warehouse", "bigquery://p/d?bogus=1"); code != 2 {
		t.Errorf("report on a bad BigQuery URL: exit %d, want 2:\n%s", code, out)
	}
}

// load --setup on Snowflake with a bucket Snowflake cannot read (a local
// folder), or without the storage integration, is the command line's to fix:
// exit 2, before any statement is sent.
func TestSetupRefusalsAreConfig(t *testing.T) {
	f, wh := sfWarehouse(t)
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--rows", "5")
	for _, c := range []struct{ bucket, wh, says string }{
		{"file://" + bucket, wh + "&storage_integration=SYNC_LOGS_INT", "cannot read a file:// bucket; use the s3://, gs:// or azblob://"},
		{"s3://acme-sync-logs?region=us-east-1", wh, "storage_integration=NAME"},
	} {
		n := len(f.Statements())
		code, _, stderr := runCLIAll(t, "load", "--setup", "--bucket", c.bucket, "--warehouse", c.wh)
		if code != 2 || !strings.Contains(stderr, c.says) {
			t.Errorf("load --setup --bucket %s: exit %d, want 2 saying %q: %s", c.bucket, code, c.says, stderr)
		}
		for _, s := range f.Statements()[n:] {
			if strings.HasPrefix(s, "CREATE") {
				t.Errorf("load --setup --bucket %s created something: %s", c.bucket, s)
			}
		}
	}
}

// Credentials Snowflake refuses are the user's to fix: exit 2, one message
// with what to check, and no object blamed (issue 11, case 9).
func TestBadCredentialsExit2(t *testing.T) {
	f, wh := sfWarehouse(t)
	f.Fail(sffake.BadLogin(-1))
	bucket := sfBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--rows", "5")
	for _, args := range [][]string{
		{"load", "--bucket", bucket, "--warehouse", wh},
		{"status", "--warehouse", wh},
	} {
		code, stdout, stderr := runCLIAll(t, args...)
		if code != 2 || !strings.Contains(stderr, "check the user and account") || strings.Contains(stdout, "FAILED") {
			t.Errorf("%s with a refused login: exit %d, want 2 with the fix and nothing blamed:\n%s\n%s", args[0], code, stdout, stderr)
		}
	}
}
