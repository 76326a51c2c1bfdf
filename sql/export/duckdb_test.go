package export

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

const testUUID = "5b0d8a6e-3f1c-4d2a-9e8b-7c6d5e4f3a21"

// duckTypes is one column per case, in an order that is not alphabetical,
// so that the parquet file also shows whether columns keep the query's order.
var duckTypes = []struct {
	name, expr string
	text       string // CSV, table, and parquet read back as VARCHAR
	json       string // the JSON value; "" is text as a JSON string
	parquet    string // the parquet column's type as DuckDB reads it back
	parquetTxt string // parquet read back as VARCHAR, when not text
}{
	{"int", "42", "42", "42", "BIGINT", ""},
	{"dec", "1.5", "1.5", "1.5", "DECIMAL(2,1)", ""},
	{"dec_neg", "(-0.05)::DECIMAL(10,3)", "-0.05", "-0.05", "DECIMAL(10,3)", "-0.050"},
	{"dec_wide", "123456789012345678901234.5::DECIMAL(38,1)", "123456789012345678901234.5", "123456789012345678901234.5", "DECIMAL(38,1)", ""},
	{"dec_wide_neg", "(-1.25)::DECIMAL(30,2)", "-1.25", "-1.25", "DECIMAL(30,2)", ""},
	{"dec_zero", "0.00::DECIMAL(4,2)", "0", "0", "DECIMAL(4,2)", "0.00"},
	{"uuid", "'" + testUUID + "'::UUID", testUUID, "", "VARCHAR", ""},
	{"uuids", "['" + testUUID + "'::UUID]", `["` + testUUID + `"]`, `["` + testUUID + `"]`, "VARCHAR", ""},
	{"iv_days", "INTERVAL 3 DAY", "3 days", "", "VARCHAR", ""},
	{"iv_all", "INTERVAL '1 year 2 months 3 days 04:05:06'", "1 year 2 months 3 days 04:05:06", "", "VARCHAR", ""},
	{"iv_neg", "INTERVAL '-14 months -1 day -1.5 seconds'", "-1 year -2 months -1 day -00:00:01.5", "", "VARCHAR", ""},
	{"iv_zero", "INTERVAL 0 SECOND", "00:00:00", "", "VARCHAR", ""},
	{"iv_hours", "INTERVAL 100 HOUR", "100:00:00", "", "VARCHAR", ""},
	{"date", "DATE '2026-12-03'", "2026-12-03", "", "DATE", ""},
	{"dates", "[DATE '2026-12-03', NULL]", `["2026-12-03",null]`, `["2026-12-03",null]`, "VARCHAR", ""},
	{"time", "TIME '04:05:06.12'", "04:05:06.12", "", "VARCHAR", ""},
	{"timetz", "TIMETZ '04:05:06-03:30'", "04:05:06-03:30", "", "VARCHAR", ""},
	{"ts", "TIMESTAMP '2026-12-03 04:05:06'", "2026-12-03T04:05:06Z", "", "TIMESTAMP WITH TIME ZONE", "2026-12-03 04:05:06+00"},
	{"map_text", "MAP {'k': 1, 'a': 2}", `{"k":1,"a":2}`, `{"k":1,"a":2}`, "VARCHAR", ""},
	{"map_int", "MAP {2: DATE '2026-12-03'}", `[{"key":2,"value":"2026-12-03"}]`, `[{"key":2,"value":"2026-12-03"}]`, "VARCHAR", ""},
	{"map_empty", "MAP {}::MAP(VARCHAR, INTEGER)", `{}`, `{}`, "VARCHAR", ""},
	{"struct", "{'d': DATE '2026-12-03', 'u u': '" + testUUID + "'::UUID}", `{"d":"2026-12-03","u u":"` + testUUID + `"}`, `{"d":"2026-12-03","u u":"` + testUUID + `"}`, "VARCHAR", ""},
	{"blob", "'ab'::BLOB", "ab", `"YWI="`, "VARCHAR", ""},
	{"text", "'x'", "x", "", "VARCHAR", ""},
}

func duckQuery(t *testing.T, db *sql.DB, format string) []byte {
	t.Helper()
	sel := make([]string, len(duckTypes))
	for i, c := range duckTypes {
		sel[i] = c.expr + " AS " + c.name
	}
	rows, err := db.Query("SELECT " + strings.Join(sel, ", "))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out bytes.Buffer
	w, err := New(format, &out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Stream(rows, w); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return out.Bytes()
}

// Every DuckDB type is written as DuckDB itself would print it, the same in
// every format: DECIMAL, UUID, INTERVAL, DATE, TIME and MAP used to come out
// as Go structs, bytes or instants, and parquet columns in name order.
func TestDuckDBTypesInEveryFormat(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("SET TimeZone = 'UTC'"); err != nil { // how the parquet TIMESTAMP reads back
		t.Fatal(err)
	}

	t.Run("csv", func(t *testing.T) {
		recs, err := csv.NewReader(bytes.NewReader(duckQuery(t, db, "csv"))).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("%d records, %v", len(recs), err)
		}
		for i, c := range duckTypes {
			if recs[0][i] != c.name || recs[1][i] != c.text {
				t.Errorf("%s: %s = %q, want %q", c.expr, recs[0][i], recs[1][i], c.text)
			}
		}
	})

	t.Run("json", func(t *testing.T) {
		var got []map[string]json.RawMessage
		if err := json.Unmarshal(duckQuery(t, db, "json"), &got); err != nil || len(got) != 1 {
			t.Fatalf("%d rows, %v", len(got), err)
		}
		for _, c := range duckTypes {
			want := c.json
			if want == "" {
				b, _ := json.Marshal(c.text)
				want = string(b)
			}
			if string(got[0][c.name]) != want {
				t.Errorf("%s: %s, want %s", c.expr, got[0][c.name], want)
			}
		}
	})

	t.Run("table", func(t *testing.T) {
		out := string(duckQuery(t, db, "table"))
		for _, c := range duckTypes {
			if !strings.Contains(out, cell(c.text)) {
				t.Errorf("%s: no cell %q in\n%s", c.expr, cell(c.text), out)
			}
		}
	})

	t.Run("parquet", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "types.parquet")
		if err := os.WriteFile(path, duckQuery(t, db, "parquet"), 0o600); err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query("DESCRIBE SELECT * FROM read_parquet(?)", path)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		types := map[string]string{}
		for rows.Next() {
			var name, typ string
			var null, key, def, extra any
			if err := rows.Scan(&name, &typ, &null, &key, &def, &extra); err != nil {
				t.Fatal(err)
			}
			names = append(names, name)
			types[name] = typ
		}
		rows.Close()
		for i, c := range duckTypes {
			if i >= len(names) || names[i] != c.name {
				t.Fatalf("parquet columns %v, want the query's order", names)
			}
			if types[c.name] != c.parquet {
				t.Errorf("%s: parquet %s, want %s", c.expr, types[c.name], c.parquet)
			}
			var got string
			q := `SELECT CAST("` + c.name + `" AS VARCHAR) FROM read_parquet(?)`
			if err := db.QueryRow(q, path).Scan(&got); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			want := c.text
			if c.parquetTxt != "" {
				want = c.parquetTxt
			}
			if got != want {
				t.Errorf("%s: parquet %q, want %q", c.expr, got, want)
			}
		}
	})
}
