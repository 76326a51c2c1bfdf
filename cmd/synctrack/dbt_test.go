package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/dbt"
	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/internal/dbtschema"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// synctrack dbt on a loaded DuckDB file: sources.yml declares exactly the
// relations and columns DuckDB's own catalog has (information_schema), the
// run-state columns included although only synctrack load wrote the file
// (the sync_runs staging model reads them); every staging model runs; what
// the data tests assert holds of the loaded rows.
func TestDBTHoldsAgainstDuckDBCatalog(t *testing.T) {
	bucket := generateBucket(t, "--orgs", "2", "--syncs", "3", "--runs", "2", "--files", "2", "--rows", "30")
	path := filepath.Join(t.TempDir(), "w.duckdb")
	wh := "duckdb://" + path
	if code, out, errs := runCLIAll(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh); code != 0 {
		t.Fatalf("load: exit %d:\n%s\n%s", code, out, errs)
	}
	doc, files := runDBTInto(t, wh)
	checkAgainstCatalog(t, wh, doc, files)

	// A file a synctrack before them made has no run-state columns: its
	// next load adds them, with nothing new to load.
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"state", "completed_at"} {
		if _, err := db.Exec("ALTER TABLE synctrack.sync_runs DROP COLUMN " + c); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if code, out, errs := runCLIAll(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh); code != 0 {
		t.Fatalf("second load: exit %d:\n%s\n%s", code, out, errs)
	}
	checkAgainstCatalog(t, wh, doc, files)

	// A sources.yml of the user's own in --out: exit 2 naming it, nothing
	// written; --force overwrites it.
	dir := t.TempDir()
	mine := filepath.Join(dir, dbt.SourcesFile)
	os.WriteFile(mine, []byte("version: 2\n"), 0o644)
	code, stdout, stderr := runCLIAll(t, "dbt", "--warehouse", wh, "--out", dir)
	if entries, _ := os.ReadDir(dir); code != 2 || !strings.Contains(stderr, mine) || !strings.Contains(stderr, "--force") || len(entries) != 1 {
		t.Errorf("over a user's sources.yml: exit %d, %d files in the folder:\n%s%s", code, len(entries), stdout, stderr)
	}
	if code, _, stderr := runCLIAll(t, "dbt", "--warehouse", wh, "--out", dir, "--force"); code != 0 {
		t.Errorf("--force: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(mine); string(b) != files[dbt.SourcesFile] {
		t.Error("--force did not write sources.yml")
	}
	if code, _, stderr := runCLIAll(t, "dbt", "--warehouse", wh); code != 2 || !strings.Contains(stderr, "--out") {
		t.Errorf("without --out: exit %d: %s", code, stderr)
	}
}

// The same on a real PostgreSQL server (internal/pgtest), whose schema has
// the run-state columns from the start.
func TestDBTHoldsAgainstPostgresCatalog(t *testing.T) {
	wh := pgtest.URL(t)
	bucket := generateBucket(t, "--orgs", "2", "--syncs", "3", "--runs", "2", "--files", "2", "--rows", "30")
	if code, out, errs := runCLIAll(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh); code != 0 {
		t.Fatalf("load: exit %d:\n%s\n%s", code, out, errs)
	}
	doc, files := runDBTInto(t, wh)
	checkAgainstCatalog(t, wh, doc, files)

	// A schema nothing was loaded into is not there: exit 2, saying so, as
	// on DuckDB.
	code, _, stderr := runCLIAll(t, "dbt", "--warehouse", pgtest.URL(t), "--out", t.TempDir())
	if code != 2 || !strings.Contains(stderr, "no schema") || !strings.Contains(stderr, "synctrack load") {
		t.Errorf("an empty schema: exit %d: %s", code, stderr)
	}
}

// runDBTInto runs the command into a new folder and parses what it wrote.
func runDBTInto(t *testing.T, wh string) (dbtschema.Source, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	code, stdout, stderr := runCLIAll(t, "dbt", "--warehouse", wh, "--out", dir)
	if code != 0 {
		t.Fatalf("dbt: exit %d:\n%s%s", code, stdout, stderr)
	}
	files := map[string]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
		if !strings.Contains(stdout, filepath.Join(dir, e.Name())) {
			t.Errorf("stdout does not list %s:\n%s", e.Name(), stdout)
		}
	}
	f, err := dbtschema.Parse([]byte(files[dbt.SourcesFile]))
	if err != nil {
		t.Fatalf("sources.yml: %v\n%s", err, files[dbt.SourcesFile])
	}
	if len(f.Sources) != 1 {
		t.Fatalf("%d sources", len(f.Sources))
	}
	return f.Sources[0], files
}

// checkAgainstCatalog holds the declared relations and columns against the
// engine's information_schema, runs each staging model with its source()
// resolved as dbt would, and counts the rows each data test would fail on.
func checkAgainstCatalog(t *testing.T, wh string, src dbtschema.Source, files map[string]string) {
	t.Helper()
	ctx := context.Background()
	_, w, err := engines.Open(ctx, wh, warehouse.Options{ReadOnly: true, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if src.Schema != w.Schema() {
		t.Errorf("schema %q, the warehouse's is %q", src.Schema, w.Schema())
	}
	d := w.Dialect()
	catalog := map[string][]string{}
	for _, r := range queryRows(t, w, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "+
		d.String(w.Schema())+" ORDER BY table_name, ordinal_position") {
		catalog[r[0]] = append(catalog[r[0]], r[1])
	}
	delete(catalog, "daemon_lease") // the daemon's lock row: left out on purpose
	// DuckDB's last column of sync_records is the record search's key, the
	// engine's own and not in the contract (README, "Web pages"): dbt need
	// not declare it, and nothing else may be undeclared.
	if cols := catalog["sync_records"]; len(cols) > 0 && cols[len(cols)-1] == dialects.IdentifierKeyColumn {
		catalog["sync_records"] = cols[:len(cols)-1]
	}
	declared := map[string][]string{}
	typed := 0
	for _, tb := range src.Tables {
		for _, c := range tb.Columns {
			declared[tb.Name] = append(declared[tb.Name], c.Name)
		}
		if strings.HasPrefix(tb.Name, "sync_records_") {
			typed++
		}
	}
	if typed < 3 {
		t.Errorf("%d typed views declared; the bucket has a view per sync", typed)
	}
	if !reflect.DeepEqual(declared, catalog) {
		for name, cols := range catalog {
			if !reflect.DeepEqual(cols, declared[name]) {
				t.Errorf("%s: catalog\n %v\nsources.yml\n %v", name, cols, declared[name])
			}
		}
		for name := range declared {
			if _, ok := catalog[name]; !ok {
				t.Errorf("%s declared, not in the catalog", name)
			}
		}
	}
	source := regexp.MustCompile(`\{\{ source\('synctrack', '([a-z0-9_]+)'\) \}\}`)
	for name, body := range files {
		if name == dbt.SourcesFile {
			continue
		}
		sql := source.ReplaceAllStringFunc(body, func(m string) string {
			return d.Table(w.Schema(), source.FindStringSubmatch(m)[1])
		})
		queryRows(t, w, sql)
	}
	log := d.Table(w.Schema(), "sync_log")
	for what, q := range map[string]string{
		"log_id null":          "SELECT count(*) FROM " + log + " WHERE log_id IS NULL",
		"log_id repeated":      "SELECT count(*) - count(DISTINCT log_id) FROM " + log,
		"outcome not accepted": "SELECT count(*) FROM " + log + " WHERE outcome IS NULL OR outcome NOT IN ('success', 'rejected', 'invalid')",
	} {
		if n := queryRows(t, w, q)[0][0]; n != "0" {
			t.Errorf("%s: %s rows", what, n)
		}
	}
	if n := queryRows(t, w, "SELECT count(*) FROM "+log)[0][0]; n == "0" {
		t.Error("sync_log is empty: the data tests above proved nothing")
	}
}

// queryRows runs sql through the engine's query path, each value as text.
func queryRows(t *testing.T, w warehouse.Querier, sql string) [][]string {
	t.Helper()
	rows, err := w.Query(context.Background(), sql, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		v := make([]any, len(cols))
		p := make([]any, len(cols))
		for i := range v {
			p[i] = &v[i]
		}
		if err := rows.Scan(p...); err != nil {
			t.Fatal(err)
		}
		r := make([]string, len(v))
		for i, x := range v {
			r[i] = fmtValue(x)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
	return out
}

func fmtValue(x any) string {
	switch v := x.(type) {
	case []byte:
		return string(v)
	case nil:
		return ""
	}
	return fmt.Sprint(x)
}

// synctrack dbt on Snowflake, at the wire: the real driver sends one
// statement, a SELECT of payload_columns named as Snowflake resolves
// synctrack's unquoted names (upper case), and nothing else; the typed views
// it answers with become sources and models, in Snowflake's quoting.
func TestDBTSnowflake(t *testing.T) {
	f, wh := sfWarehouse(t)
	f.Answer(`"PAYLOAD_COLUMNS"`, []sffake.Column{{Name: "SYNC_CONFIGURATION_ID", Type: "text"}, {Name: "VIEW_NAME", Type: "text"},
		{Name: "FIELD_NAME", Type: "text"}, {Name: "COLUMN_NAME", Type: "text"}, {Name: "COLUMN_TYPE", Type: "text"}},
		[][]any{
			{"52275", "sync_records_52275", "Email", "email", "string"},
			{"52275", "sync_records_52275", "{{ run_query('drop table x') }}", "run_query_drop_table_x", "number"},
			{"9", "sync_records_9", "rows", "rows_f", "boolean"},
		})
	doc, files := runDBTInto(t, wh)
	sent := f.Statements()
	if len(sent) != 1 || !strings.HasPrefix(sent[0], "SELECT ") || !strings.Contains(sent[0], `"SYNCTRACK"."PAYLOAD_COLUMNS"`) {
		t.Errorf("sent %q, want one SELECT of \"SYNCTRACK\".\"PAYLOAD_COLUMNS\"", sent)
	}
	cols := map[string][]string{}
	for _, tb := range doc.Tables {
		for _, c := range tb.Columns {
			cols[tb.Name] = append(cols[tb.Name], c.Name+": "+c.Description)
		}
	}
	v := cols["sync_records_52275"]
	if len(v) != len(dialects.RecordsColumns)+2 || !strings.Contains(v[len(v)-1], `run_query_drop_table_x: Payload field "\x7b\x7b run_query('drop table x') \x7d\x7d" (number).`) {
		t.Errorf("sync_records_52275 declares %q", v)
	}
	if len(cols["sync_records_9"]) != len(dialects.RecordsColumns)+1 {
		t.Errorf("sync_records_9 declares %q", cols["sync_records_9"])
	}
	if m := files[dbt.ModelFile("load_ledger")]; !strings.Contains(m, `    "ROWS",`) || !strings.Contains(m, "in snowflake SQL") {
		t.Errorf("load_ledger's model does not quote rows as Snowflake stores it:\n%s", m)
	}
	if _, ok := files[dbt.ModelFile("sync_records_9")]; !ok {
		t.Error("no model for sync_records_9")
	}
}
