package dialects

import (
	"database/sql"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// viewBase is the base column list of the typed views in these tests.
var viewBase = []string{"identifier", "status", "status_message", "operation", "sync_run_id", "_file"}

// hostile holds payload fields with names that are awkward in SQL or JSON
// paths, their metadata.json type and the value stored in the test payload.
var hostile = []struct {
	field, typ string
	val        any
}{
	{`x"); DROP TABLE sync_records; --`, "string", "pwned?"},
	{"Email", "string", "UPPER@x"},
	{"email", "string", "lower@x"},
	{"status", "string", "payload status"},
	{"identifier", "number", 42.0},
	{"a/b", "number", 1.5},
	{"~", "boolean", true},
	{"~1", "string", "tilde one"},
	{"a~1b", "string", "not a/b"},
	{"", "string", "empty name"},
	{"naïve", "string", "unicode"},
	{"na ve", "number", 3.0},
	{"1st", "boolean", false},
	{"it's", "string", "quote"},
	{`back\slash`, "string", `c:\dir`},
	{"semi;colon", "string", "a;b"},
	{"/* c */", "string", "comment"},
	{"--", "string", "dashes"},
	{"$.x", "string", "dollar"},
	{"arr", "array", []any{1.0, "two"}},
	{"obj", "object", map[string]any{"k": "v"}},
	{"numstr", "number", "12.5"},    // a number written as text still casts
	{"bad_number", "number", "n/a"}, // TRY_CAST gives NULL, not an error
	{strings.Repeat("L", 200), "string", "long"},
	{"nul\x00byte", "string", "unreachable"}, // not addressable: always NULL
}

func hostileColumns() []PayloadColumn {
	fields := map[string]string{}
	for _, h := range hostile {
		fields[h.field] = h.typ
	}
	return AssignColumns(nil, fields, viewBase)
}

func TestTypedViewGolden(t *testing.T) {
	d := DuckDB{}
	tests := []struct {
		name                 string
		schema, view, syncID string
		base                 []string
		cols                 []PayloadColumn
	}{
		{"typed_view_hostile", "synctrack", ViewName("s1"), "s1", viewBase, hostileColumns()},
		{"typed_view_unqualified", "", ViewName("123"), "123", []string{"identifier"}, nil},
		{"typed_view_hostile_ids", `my"schema`, `v'; --`, `1'; DROP TABLE sync_records; --`, []string{`we"ird`},
			[]PayloadColumn{{Field: "n", Column: "n", Type: "number"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.TypedView(tt.schema, tt.view, tt.syncID, tt.base, tt.cols) + "\n"
			path := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs (run with -update to accept):\n%s", path, got)
			}
		})
	}
}

func TestJSONPointer(t *testing.T) {
	tests := map[string]string{"a": "/a", "": "/", "a/b": "/a~1b", "~": "/~0", "~1": "/~01", "/~": "/~1~0"}
	for in, want := range tests {
		if got := JSONPointer(in); got != want {
			t.Errorf("JSONPointer(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTypedViewDuckDB runs the rendered view in DuckDB over rows whose payload
// has every hostile field name, and checks each typed value.
func TestTypedViewDuckDB(t *testing.T) {
	db := openDuckDB(t)
	exec(t, db, `CREATE SCHEMA synctrack`)
	exec(t, db, `CREATE TABLE synctrack.sync_records (identifier VARCHAR, record_payload JSON,
		operation VARCHAR, status VARCHAR, status_message VARCHAR,
		sync_configuration_id VARCHAR, sync_run_id VARCHAR, _file VARCHAR)`)
	payload := map[string]any{}
	for _, h := range hostile {
		payload[h.field] = h.val
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO synctrack.sync_records VALUES (?, ?, 'upsert', ?, NULL, ?, 'r1', 'f.parquet')`
	exec(t, db, insert, "id-1", string(raw), "succeeded", "s1")
	exec(t, db, insert, "id-2", `{"Email": "other sync"}`, "rejected", "s2")

	cols := hostileColumns()
	view := ViewName("s1")
	exec(t, db, DuckDB{}.TypedView("synctrack", view, "s1", viewBase, cols))

	rows, err := db.Query(`SELECT * FROM synctrack.` + DuckDB{}.Ident(view))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	names, _ := rows.Columns()
	if len(names) != len(viewBase)+len(cols) {
		t.Fatalf("view has %d columns, want %d: %q", len(names), len(viewBase)+len(cols), names)
	}
	if !rows.Next() {
		t.Fatal("view is empty")
	}
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Error("view shows a row of another sync")
	}
	got := map[string]any{}
	for i, n := range names {
		got[n] = vals[i]
	}
	if got["identifier"] != "id-1" || got["status"] != "succeeded" {
		t.Errorf("base columns: identifier=%v status=%v", got["identifier"], got["status"])
	}
	for _, c := range cols {
		if want := expected(c); !sameJSON(got[c.Column], want) {
			t.Errorf("field %q (column %q, %s) = %#v, want %#v", c.Field, c.Column, c.Type, got[c.Column], want)
		}
	}

	types := map[string]string{"string": "VARCHAR", "number": "DOUBLE", "boolean": "BOOLEAN", "json": "JSON"}
	for _, c := range cols {
		var typ string
		err := db.QueryRow(`SELECT data_type FROM information_schema.columns
			WHERE table_schema = 'synctrack' AND table_name = ? AND column_name = ?`, view, c.Column).Scan(&typ)
		if err != nil || typ != types[c.Type] {
			t.Errorf("column %q has type %q (err %v), want %s", c.Column, typ, err, types[c.Type])
		}
	}

	var n int
	if err := db.QueryRow(`SELECT count(*) FROM synctrack.sync_records`).Scan(&n); err != nil || n != 2 {
		t.Errorf("sync_records after the view: count=%d err=%v", n, err)
	}
}

// expected is the value the view should give for c, as database/sql returns it.
func expected(c PayloadColumn) any {
	for _, h := range hostile {
		if h.field != c.Field {
			continue
		}
		switch {
		case strings.Contains(h.field, "\x00"), h.field == "bad_number":
			return nil
		case h.field == "numstr":
			return 12.5
		}
		return h.val
	}
	return "missing from hostile"
}

// sameJSON compares scalars exactly, Go type included (VARCHAR gives string,
// DOUBLE float64, BOOLEAN bool), and JSON columns through their encoding,
// since the driver decodes those into Go values of its own choosing.
func sameJSON(got, want any) bool {
	switch want.(type) {
	case nil, string, float64, bool:
		return got == want
	}
	a, err1 := json.Marshal(got)
	b, err2 := json.Marshal(want)
	return err1 == nil && err2 == nil && string(a) == string(b)
}

// TestQuotingRoundTrip checks that String and Ident carry awkward text through
// the DuckDB parser unchanged (String drops NUL, by design).
func TestQuotingRoundTrip(t *testing.T) {
	db := openDuckDB(t)
	d := DuckDB{}
	inputs := []string{
		"plain", "it's", "''", "'", `"`, `""`, `a"b`, "semi;colon; DROP TABLE t; --",
		"-- comment", "/* block */", "*/", `back\slash`, `\'`, `\\`, "$$dollar$$",
		"E'x'", "new\nline\ttab", "naïve 日本", "", "a\x00b\x00",
	}
	for _, s := range inputs {
		var got string
		if err := db.QueryRow("SELECT " + d.String(s)).Scan(&got); err != nil {
			t.Errorf("String(%q): %v", s, err)
		} else if want := strings.ReplaceAll(s, "\x00", ""); got != want {
			t.Errorf("String(%q) came back as %q", s, got)
		}
		if s == "" || strings.Contains(s, "\x00") {
			continue // empty identifiers are invalid; Ident keeps NUL (see report)
		}
		rows, err := db.Query("SELECT 1 AS " + d.Ident(s))
		if err != nil {
			t.Errorf("Ident(%q): %v", s, err)
			continue
		}
		names, _ := rows.Columns()
		rows.Close()
		if len(names) != 1 || names[0] != s {
			t.Errorf("Ident(%q) came back as %q", s, names)
		}
	}
}

func openDuckDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
}
