package main

import (
	dbsql "database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse/engines"
)

// Every warehouse URL is checked by its engine's one check, whichever
// command reads it: what load takes, run --check takes; unknown parameters
// and unknown engines are config errors (exit 2) that say what would do.
func TestWarehouseURLsCheckedOnce(t *testing.T) {
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--rows", "5")
	for _, c := range []struct {
		url  string
		ok   bool
		want []string // in the error
	}{
		{"bigquery://proj", true, nil},
		{"bigquery://proj/ds?location=EU", true, nil},
		{"duckdb://./w.duckdb", true, nil},
		{"./x.duckdb", false, []string{"want a URL", "duckdb://", "bigquery://"}},
		{"postgres://u@h:5432/db?schema=s&sslmode=disable", true, nil},
		{"mysql://u@h:3306/db", false, []string{"no engine for mysql://", "snowflake://", "postgres://"}},
		{"postgres://u:hunter22@h:5432/db", false, []string{"no password in the URL", "PGPASSWORD"}},
		{"postgres://u@h/db?password=hunter22", false, []string{"no password in the URL"}},
		{"duckdb://./w.duckdb?bogus=1", false, []string{`"bogus"`, "schema", "memory_limit", "threads"}},
		{"bigquery://p/d?bogus=1", false, []string{`"bogus"`, "location", "credentials_file"}},
		{"snowflake://u@acct/db/s?bogus=1", false, []string{`"bogus"`, "stage", "warehouse", "QUERY_TAG"}},
		{"snowflake://u:hunter22@acct/db/s", false, []string{"no password in the URL"}},
	} {
		_, err := engines.Check(c.url)
		if (err == nil) != c.ok {
			t.Errorf("%s: check error %v, want ok=%v", c.url, err, c.ok)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.url, err, w)
			}
		}
		if err != nil && strings.Contains(err.Error(), "hunter22") {
			t.Errorf("%s: the error repeats the password: %v", c.url, err)
		}
		cfg := filepath.Join(t.TempDir(), "c.yaml")
		os.WriteFile(cfg, []byte("targets:\n  - {bucket: 'file://"+bucket+"', warehouse: '"+c.url+"'}\n"), 0o644)
		code, out := runCLI(t, "run", "--config", cfg, "--check")
		if want := map[bool]int{true: 0, false: 2}[c.ok]; code != want {
			t.Errorf("run --check with %s: exit %d, want %d: %s", c.url, code, want, out)
		}
	}
}

// The --warehouse help of every command that takes one lists every engine.
func TestHelpListsEveryEngine(t *testing.T) {
	for _, cmd := range []string{"load", "plan", "run", "status", "report", "records", "views", "retry"} {
		c, _, err := newRootCommand().Find([]string{cmd})
		if err != nil {
			t.Fatal(err)
		}
		f := c.Flags().Lookup("warehouse")
		if f == nil {
			t.Fatalf("%s has no --warehouse", cmd)
		}
		for _, e := range engines.All() {
			if !strings.Contains(f.Usage, e.Example) {
				t.Errorf("%s --warehouse help %q leaves out %s", cmd, f.Usage, e.Name)
			}
		}
	}
}

// --log-level debug shows the SQL an engine sends (here Snowflake's, through
// the real driver), and no secret.
func TestDebugLogShowsEngineSQL(t *testing.T) {
	_, wh := sfWarehouse(t)
	code, _, stderr := runCLIAll(t, "status", "--warehouse", wh, "--log-level", "debug")
	if code != 0 || !strings.Contains(stderr, "SELECT") || !strings.Contains(stderr, "LOAD_LEDGER") {
		t.Fatalf("status --log-level debug: exit %d, stderr:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "s3cr3t-pw") {
		t.Fatal("the debug log holds the password")
	}
	// DuckDB: the load's own statements, from the ledger to the views.
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--rows", "5")
	duck := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	code, _, stderr = runCLIAll(t, "load", "--bucket", "file://"+bucket, "--warehouse", duck, "--log-level", "debug", "--log-format", "json")
	var sqls []string
	for _, line := range strings.Split(stderr, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			group, _ := m["duckdb"].(map[string]any)
			if q, ok := group["sql"].(string); ok {
				sqls = append(sqls, q)
			}
		}
	}
	all := strings.Join(sqls, "\n")
	for _, want := range []string{`FROM "synctrack"."load_ledger"`, `INSERT INTO "synctrack"."sync_records"`,
		`INSERT INTO "synctrack"."sync_runs"`, `CREATE OR REPLACE VIEW "synctrack"."run_summary"`} {
		if code != 0 || !strings.Contains(all, want) {
			t.Errorf("load --log-level debug on DuckDB: exit %d, no %s among %d statements logged", code, want, len(sqls))
		}
	}
}

// synctrack views installs the analysis views on Snowflake as on DuckDB
// (before, it answered "the snowflake warehouse is not built yet").
func TestViewsOnSnowflakeAndDuckDB(t *testing.T) {
	f, wh := sfWarehouse(t)
	code, out := runCLI(t, "views", "--warehouse", wh)
	if code != 0 || !strings.Contains(out, "synctrack.run_summary") {
		t.Fatalf("views on Snowflake: exit %d:\n%s", code, out)
	}
	created := 0
	for _, s := range f.Statements() {
		if strings.HasPrefix(s, `CREATE OR REPLACE VIEW "SYNCTRACK".`) {
			created++
		}
	}
	if want := strings.Count(out, "\n"); created != want || created < 5 {
		t.Fatalf("%d CREATE VIEW statements for %d views listed", created, want)
	}

	bucket := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--rows", "5")
	duck := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	if code, out := runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", duck); code != 0 {
		t.Fatalf("load: %d %s", code, out)
	}
	// A typed view as an older binary left it: views rebuilds it.
	db, err := dbsql.Open("duckdb", strings.TrimPrefix(duck, "duckdb://"))
	if err != nil {
		t.Fatal(err)
	}
	var view string
	if err := db.QueryRow(`SELECT any_value(view_name) FROM synctrack.payload_columns`).Scan(&view); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE OR REPLACE VIEW synctrack."` + view + `" AS SELECT 1 AS old`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, duckOut := runCLI(t, "views", "--warehouse", duck)
	if code != 0 || duckOut != out+"typed views rebuilt: 1, one per sync (payload_columns lists them)\n" {
		t.Fatalf("views on DuckDB: exit %d, listed\n%s\nSnowflake listed\n%s", code, duckOut, out)
	}
	db, err = dbsql.Open("duckdb", strings.TrimPrefix(duck, "duckdb://"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var cols int
	if err := db.QueryRow(`SELECT count(*) FROM (DESCRIBE synctrack."` + view + `")`).Scan(&cols); err != nil || cols < 17 {
		t.Errorf("%s after views: %d columns (%v), want sync_records' and the payload's", view, cols, err)
	}
}
