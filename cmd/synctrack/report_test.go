package main

import (
	"bytes"
	dbsql "database/sql"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	analysis "github.com/synctrack/synctrack/sql"
)

// loadedWarehouse generates a bucket (with generate's args, else 2 runs of
// 40 rows) and loads it, returning the warehouse URL and its file.
func loadedWarehouse(t *testing.T, args ...string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	bucket := filepath.Join(dir, "bucket")
	file := filepath.Join(dir, "w.duckdb")
	if len(args) == 0 {
		args = []string{"--runs", "2", "--rows", "40"}
	}
	if code, out := runCLI(t, append([]string{"generate", "--out", bucket}, args...)...); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, out)
	}
	if code, out := runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", "duckdb://"+file); code != 0 {
		t.Fatalf("load: exit %d: %s", code, out)
	}
	return "duckdb://" + file, file
}

func TestReportAndSQLCommands(t *testing.T) {
	wh, _ := loadedWarehouse(t)
	code, out := runCLI(t, "sql", "list")
	ts, _ := analysis.List("duckdb")
	for _, tp := range ts {
		if !strings.Contains(out, tp.Name) {
			t.Errorf("sql list lacks %s", tp.Name)
		}
	}
	if code != 0 || len(ts) < 9 {
		t.Fatalf("sql list: exit %d, %d templates", code, len(ts))
	}
	for d, quoted := range map[string]string{"snowflake": `"SYNCTRACK"."SYNC_LOG"`, "bigquery": "`synctrack`.`sync_log`"} {
		code, out := runCLI(t, "sql", "render", "rejections_by_message", "--dialect", d, "--param", "sync=it's")
		if code != 0 || !strings.Contains(out, quoted) || !strings.Contains(out, d2lit(d)) {
			t.Errorf("sql render --dialect %s: exit %d:\n%s", d, code, out)
		}
	}
	code, out = runCLI(t, "report", "run_summary", "--warehouse", wh, "--format", "json")
	var rows []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) == 0 {
		t.Fatalf("report run_summary --format json: exit %d, %d rows:\n%.300s", code, len(rows), out)
	}
	// The records template's outcome filter, as `synctrack records --status` takes it.
	code, out = runCLI(t, "report", "records", "--warehouse", wh, "--status", "rejected", "--format", "json", "--limit", "20")
	rows = nil
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) == 0 {
		t.Fatalf("report records --status rejected: exit %d, %d rows:\n%.300s", code, len(rows), out)
	}
	for _, r := range rows {
		if r["outcome"] != "rejected" {
			t.Errorf("report records --status rejected gave a %v row", r["outcome"])
		}
	}
	code, out = runCLI(t, "report", "rejections_by_fingerprint", "--warehouse", wh, "--format", "csv", "--limit", "3")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) != 4 || recs[0][0] != "fingerprint" {
		t.Fatalf("report --format csv --limit 3: exit %d, %v, %d lines", code, err, len(recs))
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"unknown report", []string{"report", "nope", "--warehouse", wh}},
		{"parameter the report does not take", []string{"report", "run_summary", "--warehouse", wh, "--identifier", "x"}},
		{"missing required parameter", []string{"report", "record_history", "--warehouse", wh}},
		{"bad since", []string{"report", "run_summary", "--warehouse", wh, "--since", "yesterday"}},
		{"bad format", []string{"report", "run_summary", "--warehouse", wh, "--format", "xml"}},
		{"unknown dialect", []string{"sql", "render", "run_summary", "--dialect", "oracle"}},
		{"bad param", []string{"sql", "render", "run_summary", "--param", "sync"}},
		{"bad status", []string{"records", "--warehouse", wh, "--status", "failed"}},
		{"no database yet", []string{"records", "--warehouse", "duckdb://" + filepath.Join(t.TempDir(), "none.duckdb")}},
		{"dry run on an engine without one", []string{"report", "run_summary", "--warehouse", wh, "--dry-run"}},
		{"records dry run on an engine without one", []string{"records", "--warehouse", wh, "--dry-run"}},
		{"dry run with an output format", []string{"report", "run_summary", "--warehouse", wh, "--dry-run", "--format", "csv"}},
		{"records dry run with --out", []string{"records", "--warehouse", wh, "--dry-run", "--out", "x.csv"}},
	} {
		if code, out := runCLI(t, c.args...); code != 2 {
			t.Errorf("%s: exit %d, want 2: %s", c.name, code, out)
		}
	}
	// A flag's bad value is said as the flag typed, as every other flag's
	// is; sql render's --param as the parameter.
	for args, want := range map[string]string{
		"report run_summary --since yesterday":   `--since "yesterday": want an RFC 3339 time`,
		"records --status failed":                `--status "failed": want success, rejected or invalid`,
		"records --limit -1":                     `--limit "-1": want a whole number`,
		"sql render run_summary --param limit=x": `limit="x": want a whole number`,
		"sql render run_summary --param since=x": `since="x": want an RFC 3339 time`,
	} {
		a := strings.Fields(args)
		if a[0] != "sql" {
			a = append(a, "--warehouse", wh)
		}
		if code, _, errs := runCLIAll(t, a...); code != 2 || !strings.Contains(errs, want) {
			t.Errorf("%s: exit %d, %q; want 2 saying %q", args, code, errs, want)
		}
	}
	if _, _, out := runCLIAll(t, "report", "run_summary", "--warehouse", wh, "--dry-run"); !strings.Contains(out, "only BigQuery's dry run can") {
		t.Errorf("report --dry-run on DuckDB says %q: want why not", out)
	}
}

func d2lit(d string) string {
	if d == "bigquery" {
		return `'it\'s'`
	}
	return `'it''s'`
}

// records --format csv and --format json give the same rows, and the CSV
// survives payloads full of quotes, commas and newlines.
func TestRecordsCSVRoundTrip(t *testing.T) {
	wh, _ := loadedWarehouse(t)
	args := []string{"records", "--warehouse", wh, "--limit", "0", "--status", "rejected"}
	code, csvOut := runCLI(t, append(args, "--format", "csv")...)
	recs, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	if code != 0 || err != nil || len(recs) < 2 {
		t.Fatalf("records --format csv: exit %d, %v, %d lines", code, err, len(recs))
	}
	code, jsonOut := runCLI(t, append(args, "--format", "json")...)
	var rows []map[string]json.RawMessage
	if code != 0 || json.Unmarshal([]byte(jsonOut), &rows) != nil {
		t.Fatalf("records --format json: exit %d, not JSON:\n%.300s", code, jsonOut)
	}
	if len(rows) != len(recs)-1 {
		t.Fatalf("csv has %d rows, json %d", len(recs)-1, len(rows))
	}
	hostile := false
	for i, row := range rows {
		for j, col := range recs[0] {
			raw := row[col]
			var s string
			if json.Unmarshal(raw, &s) != nil { // not a JSON string: compare its compact text
				var b bytes.Buffer
				json.Compact(&b, raw)
				s = b.String()
				if s == "null" {
					s = ""
				}
			}
			if recs[i+1][j] != s {
				t.Fatalf("row %d %s: csv %q, json %q", i, col, recs[i+1][j], s)
			}
			hostile = hostile || strings.ContainsAny(s, "\",\n")
		}
	}
	if !hostile {
		t.Error("no field with quotes, commas or newlines: the round trip proved little")
	}
}

// A parquet export streams to a file that DuckDB reads back whole.
func TestRecordsParquetExport(t *testing.T) {
	wh, file := loadedWarehouse(t)
	out := filepath.Join(t.TempDir(), "x.parquet")
	if code, o := runCLI(t, "records", "--warehouse", wh, "--limit", "0", "--format", "parquet", "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, o)
	}
	db, err := dbsql.Open("duckdb", file+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got, want, ids int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT log_id) FROM read_parquet(?)
WHERE typeof(batch_started_at) LIKE 'TIMESTAMP%'`, out).Scan(&got, &ids); err != nil {
		t.Fatal(err)
	}
	db.QueryRow(`SELECT count(*) FROM synctrack.sync_log`).Scan(&want)
	if got != want || ids != want || want == 0 {
		t.Errorf("parquet has %d rows (%d ids), sync_log %d", got, ids, want)
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
		t.Errorf("export left %d files behind", len(entries))
	}
}

// Parameter errors read as the docs do: names comma-separated, counts from
// 0 (--limit 0 is every row, --n 0 the template's default), and only the
// template's own parameters listed, never the web pages' paging ones.
func TestParameterMessages(t *testing.T) {
	wh, _ := loadedWarehouse(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "new_errors", "--warehouse", wh, "--since", "7d"}, "(it takes: sync, n, limit)"},
		{[]string{"records", "--warehouse", wh, "--limit=-1"}, `--limit "-1": want a whole number from 0 to 1000000000`},
		{[]string{"report", "new_errors", "--warehouse", wh, "--n=-3"}, `--n "-3": want a whole number from 0 to 1000000000`},
		{[]string{"sql", "render", "records", "--param", "limit=abc"}, `limit="abc": want a whole number from 0 to 1000000000`},
		{[]string{"sql", "render", "records", "--param", "foo=1"}, `records takes no parameter "foo" (it takes: sync, run, status, identifier, since, limit)`},
		// report names its flags, not the template's parameters.
		{[]string{"report", "record_history", "--warehouse", wh}, "report record_history needs --identifier"},
		{[]string{"report", "--warehouse", wh}, "report needs a template NAME (synctrack sql list lists them)"},
	} {
		code, stdout, stderr := runCLIAll(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "after_file") {
			t.Errorf("%v: exit %d, want 2 and %q: %s%s", c.args, code, c.want, stdout, stderr)
		}
	}
	for _, args := range [][]string{
		{"records", "--warehouse", wh, "--limit", "0", "--format", "csv"},
		{"report", "new_errors", "--warehouse", wh, "--n", "0"},
	} {
		if code, out := runCLI(t, args...); code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, out)
		}
	}
	code, out := runCLI(t, "sql", "render", "records", "--param", "limit=0")
	if code != 0 || strings.Contains(out, "LIMIT") {
		t.Errorf("sql render --param limit=0: exit %d, want every row (no LIMIT):\n%s", code, out)
	}
}

// A report or records cut off at its --limit says so on stderr (a table of
// 50 rows said only "(50 rows)"); one that ends before the limit says nothing.
func TestReportSaysWhenTheLimitCutIt(t *testing.T) {
	wh, _ := loadedWarehouse(t) // 2 orgs x 3 syncs x 2 runs: 12 runs
	code, out, errs := runCLIAll(t, "report", "run_outcomes", "--warehouse", wh, "--limit", "5", "--format", "csv")
	if code != 0 || strings.Count(out, "\n") != 6 || !strings.Contains(errs, "stopped at --limit 5") {
		t.Errorf("--limit 5: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, out, errs = runCLIAll(t, "report", "run_outcomes", "--warehouse", wh, "--limit", "1000", "--format", "csv")
	if code != 0 || strings.Count(out, "\n") < 3 || strings.Contains(errs, "--limit") {
		t.Errorf("--limit 1000: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// records stopped at its default 100 without a word.
	code, out, errs = runCLIAll(t, "records", "--warehouse", wh, "--format", "csv")
	if code != 0 || strings.Count(out, "\n") != 101 || !strings.Contains(errs, "records: stopped at --limit 100") {
		t.Errorf("records: exit %d, %d lines, stderr %q", code, strings.Count(out, "\n"), errs)
	}
	// Unless the export is stderr (2>f.csv): nothing after it there.
	code, _, errs = runCLIAll(t, "records", "--warehouse", wh, "--format", "csv", "--out", "/dev/stderr")
	if code != 0 || strings.Count(errs, "\n") != 101 || strings.Contains(errs, "stopped at") || strings.Contains(errs, "wrote ") {
		t.Errorf("records --out /dev/stderr: exit %d, %d lines, stderr ends %q", code, strings.Count(errs, "\n"), errs[max(0, len(errs)-200):])
	}
}

// A report writes parquet to --out as records does: the rows the JSON
// report gives, and the --limit notice still on stderr.
func TestReportParquetOut(t *testing.T) {
	wh, _ := loadedWarehouse(t)
	code, out := runCLI(t, "report", "rejections_by_fingerprint", "--warehouse", wh, "--format", "json", "--limit", "0")
	var rows []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) < 3 {
		t.Fatalf("report --format json: exit %d, %d rows:\n%.300s", code, len(rows), out)
	}
	pq := filepath.Join(t.TempDir(), "fp.parquet")
	code, _, stderr := runCLIAll(t, "report", "rejections_by_fingerprint", "--warehouse", wh, "--format", "parquet", "--out", pq, "--limit", "0")
	n, err := parquetRows(pq)
	if code != 0 || err != nil || n != int64(len(rows)) || !strings.Contains(stderr, "rows to "+pq) {
		t.Fatalf("report --format parquet --out: exit %d, %v, %d rows against %d: %s", code, err, n, len(rows), stderr)
	}
	code, _, stderr = runCLIAll(t, "report", "rejections_by_fingerprint", "--warehouse", wh, "--format", "parquet", "--out", pq, "--limit", "2")
	if n, err = parquetRows(pq); code != 0 || err != nil || n != 2 || !strings.Contains(stderr, "stopped at --limit 2") {
		t.Fatalf("report --format parquet --limit 2: exit %d, %v, %d rows: %s", code, err, n, stderr)
	}
}
