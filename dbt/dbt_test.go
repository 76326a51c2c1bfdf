package dbt

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/internal/dbtschema"
	"github.com/synctrack/synctrack/warehouse/engines"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// hostileTyped is what payload_columns may hold for a sync whose field
// names came from a hostile customer model: Jinja, HTML, quotes, newlines.
// Column names are what AssignColumns made of them.
func hostileTyped() []TypedView {
	fields := map[string]string{
		"{{ run_query('drop table x') }}": "string",
		"{% raw %}x":                      "number",
		"</td><script>alert(1)</script>":  "boolean",
		"it's \"quoted\"\nand two lines":  "json",
		"Email":                           "string",
		"rows":                            "number",
	}
	cols := dialects.AssignColumns(nil, fields, dialects.Names(dialects.RecordsColumns))
	return []TypedView{
		{Name: "sync_records_52275", SyncID: "52275", Columns: cols},
		{Name: dialects.ViewName("{{ x }}'"), SyncID: "{{ x }}'", Columns: cols[:1]},
	}
}

func dialect(t *testing.T, name string) dialects.Dialect {
	t.Helper()
	d, err := engines.Dialect(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func parse(t *testing.T, files map[string][]byte) dbtschema.File {
	t.Helper()
	f, err := dbtschema.Parse(files[SourcesFile])
	if err != nil {
		t.Fatalf("sources.yml is not a valid dbt sources file: %v\n%s", err, files[SourcesFile])
	}
	if len(f.Sources) != 1 || f.Sources[0].Name != SourceName {
		t.Fatalf("want one source named %s, got %+v", SourceName, f.Sources)
	}
	return f
}

// The files hold dbt's documented shape on every engine, carry the tests
// the contract asks for, and each model selects exactly its table's columns
// from a table the sources file declares.
func TestFilesOnEveryEngine(t *testing.T) {
	for _, name := range engines.Names() {
		t.Run(name, func(t *testing.T) {
			d := dialect(t, name)
			files, err := Files(Input{Dialect: d, Schema: "analytics_sync", Typed: hostileTyped()})
			if err != nil {
				t.Fatal(err)
			}
			f := parse(t, files)
			src := f.Sources[0]
			if src.Schema != "analytics_sync" {
				t.Errorf("schema %q", src.Schema)
			}
			tables := map[string]dbtschema.Table{}
			for _, tb := range src.Tables {
				tables[tb.Name] = tb
				if tb.Description == "" {
					t.Errorf("%s: no description", tb.Name)
				}
				for _, c := range tb.Columns {
					if c.Description == "" {
						t.Errorf("%s.%s: no description", tb.Name, c.Name)
					}
				}
			}
			checkContractTests(t, tables)
			checkModels(t, d, files, tables)
		})
	}
}

func testsOf(t *testing.T, tb dbtschema.Table, col string) map[string]dbtschema.Test {
	t.Helper()
	for _, c := range tb.Columns {
		if c.Name == col {
			tests, err := dbtschema.Tests(c.DataTests)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]dbtschema.Test{}
			for _, x := range tests {
				out[x.Name] = x
			}
			return out
		}
	}
	t.Fatalf("%s has no column %s", tb.Name, col)
	return nil
}

func checkContractTests(t *testing.T, tables map[string]dbtschema.Table) {
	t.Helper()
	log := tables["sync_log"]
	if got := testsOf(t, log, "log_id"); got["unique"].Name == "" || got["not_null"].Name == "" {
		t.Errorf("sync_log.log_id: want unique and not_null, got %v", got)
	}
	vals := testsOf(t, log, "outcome")["accepted_values"].Arguments["values"]
	if !reflect.DeepEqual(vals, []any{"success", "rejected", "invalid"}) {
		t.Errorf("sync_log.outcome accepted_values: %v", vals)
	}
	for _, from := range []string{"sync_log", "sync_runs"} {
		for col, to := range map[string]string{"source_object_id": "source_objects", "destination_id": "destinations", "destination_object_id": "destination_objects"} {
			rel := testsOf(t, tables[from], col)["relationships"]
			want := map[string]any{"to": "source('synctrack', '" + to + "')", "field": "id"}
			if !reflect.DeepEqual(rel.Arguments, want) || rel.Config["severity"] != "warn" {
				t.Errorf("%s.%s relationships: %+v, want %v with severity warn", from, col, rel, want)
			}
			if _, ok := tables[to]; !ok {
				t.Errorf("%s.%s points at %s, which is not declared", from, col, to)
			}
		}
	}
}

var (
	sourceCall = regexp.MustCompile(`\{\{ source\('synctrack', '([a-z0-9_]+)'\) \}\}`)
	selectList = regexp.MustCompile(`(?s)\nselect\n(.*)\nfrom `)
)

func checkModels(t *testing.T, d dialects.Dialect, files map[string][]byte, tables map[string]dbtschema.Table) {
	t.Helper()
	models := 0
	for name, body := range files {
		if name == SourcesFile {
			continue
		}
		models++
		m := sourceCall.FindAllStringSubmatch(string(body), -1)
		if len(m) != 1 || ModelFile(m[0][1]) != name {
			t.Errorf("%s: want one source() of its own table, got %v", name, m)
			continue
		}
		tb, ok := tables[m[0][1]]
		if !ok {
			t.Errorf("%s selects from %s, which sources.yml does not declare", name, m[0][1])
			continue
		}
		var want []string
		for _, c := range tb.Columns {
			want = append(want, columnRef(d, c.Name))
		}
		sel := selectList.FindStringSubmatch(string(body))
		var got []string
		if sel != nil {
			for _, l := range strings.Split(sel[1], "\n") {
				got = append(got, strings.TrimSuffix(strings.TrimSpace(l), ","))
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s selects\n %v\nwant\n %v", name, got, want)
		}
	}
	want := 0
	for name := range tables {
		if r, ok := dialects.Lookup(name); !ok || !r.Analysis {
			want++
		}
	}
	if models != want {
		t.Errorf("%d models, want one per table and view but the analysis views: %d", models, want)
	}
}

// A field name reaches a description only quoted, with no brace (no Jinja
// delimiter) and no angle bracket (no HTML), and reads back as written.
func TestHostileFieldNames(t *testing.T) {
	files, err := Files(Input{Dialect: dialect(t, "duckdb"), Schema: "synctrack", Typed: hostileTyped()})
	if err != nil {
		t.Fatal(err)
	}
	f := parse(t, files)
	byCol := map[string]string{}
	for _, tb := range f.Sources[0].Tables {
		if tb.Name != "sync_records_52275" {
			continue
		}
		for _, c := range tb.Columns {
			byCol[c.Name] = c.Description
		}
	}
	for _, c := range hostileTyped()[0].Columns {
		desc := byCol[c.Column]
		if strings.ContainsAny(desc, "{}<>\n") {
			t.Errorf("%s: description %q has a brace, an angle bracket or a newline", c.Column, desc)
		}
		q := strings.TrimSuffix(strings.TrimPrefix(desc, "Payload field "), " ("+c.Type+").")
		back, err := strconv.Unquote(q)
		if err != nil || back != c.Field {
			t.Errorf("%s: description %q reads back as %q (%v), want %q", c.Column, desc, back, err, c.Field)
		}
	}
	// In a model, only the source() call has braces, quotes or parentheses.
	for name, body := range files {
		if name == SourcesFile {
			continue
		}
		for _, line := range strings.Split(sourceCall.ReplaceAllString(string(body), ""), "\n") {
			if !strings.HasPrefix(line, "--") && strings.ContainsAny(line, "{}'<>();") {
				t.Errorf("%s: line %q has more than names", name, line)
			}
		}
	}
}

// A view or column name in payload_columns that synctrack would never make
// (it could be Jinja or SQL in a model) stops the command; nothing is written.
func TestRefusesNamesSynctrackNeverMakes(t *testing.T) {
	d := dialect(t, "duckdb")
	for _, tv := range []TypedView{
		{Name: "sync_records_1') }}{{ run_query('x", SyncID: "1"},
		{Name: "sync_records_1", SyncID: "1", Columns: []dialects.PayloadColumn{{Field: "a", Column: "a\" FROM x; --", Type: "string"}}},
		{Name: "Sync_Records_1", SyncID: "1"},
	} {
		if _, err := Files(Input{Dialect: d, Schema: "synctrack", Typed: []TypedView{tv}}); err == nil {
			t.Errorf("view %q, columns %v: accepted", tv.Name, tv.Columns)
		}
	}
	// A column type synctrack would not write is shown quoted, not as is.
	files, err := Files(Input{Dialect: d, Schema: "synctrack", Typed: []TypedView{{Name: "sync_records_1", SyncID: "1",
		Columns: []dialects.PayloadColumn{{Field: "a", Column: "a", Type: "{{ x }}"}}}}})
	if err != nil || strings.Contains(string(files[SourcesFile]), "{{ x }}") {
		t.Errorf("a hostile column type reached sources.yml as is (%v)", err)
	}
	if _, err := Files(Input{Dialect: d, Schema: "{{ env_var('X') }}"}); err == nil {
		t.Error("a schema with braces: accepted")
	}
}

// Snowflake's and BigQuery's catalogs cannot be queried here (sffake runs no
// catalog queries; the emulator suite checks BigQuery's tables API), so
// their files are golden: review a change, then go test ./dbt -update.
func TestGolden(t *testing.T) {
	for _, name := range []string{"snowflake", "bigquery"} {
		t.Run(name, func(t *testing.T) {
			files, err := Files(Input{Dialect: dialect(t, name), Schema: "SYNCTRACK_PROD", Typed: hostileTyped()[:1]})
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join("testdata", name)
			if *update {
				os.RemoveAll(dir)
				if _, err := Write(dir, files, true); err != nil {
					t.Fatal(err)
				}
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var have, want []string
			for _, e := range entries {
				have = append(have, e.Name())
			}
			for n := range files {
				want = append(want, n)
			}
			sort.Strings(want)
			if !reflect.DeepEqual(have, want) {
				t.Fatalf("golden files %v, rendered %v", have, want)
			}
			for n, body := range files {
				golden, _ := os.ReadFile(filepath.Join(dir, n))
				if string(golden) != string(body) {
					t.Errorf("%s/%s differs from the golden file:\n%s", name, n, body)
				}
			}
		})
	}
}
