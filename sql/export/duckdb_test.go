package export

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/synctrack/synctrack/internal/duckdbtext"
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
	// Every integer type is an INT64, values exact (TINYINT and SMALLINT
	// failed the export, the unsigned ones were text); UBIGINT is an
	// unsigned one, as hash() fills it to 2^64-1.
	{"tiny", "(-128)::TINYINT", "-128", "-128", "BIGINT", ""},
	{"small", "(-32768)::SMALLINT", "-32768", "-32768", "BIGINT", ""},
	{"utiny", "255::UTINYINT", "255", "255", "BIGINT", ""},
	{"usmall", "65535::USMALLINT", "65535", "65535", "BIGINT", ""},
	{"uint", "4294967295::UINTEGER", "4294967295", "4294967295", "BIGINT", ""},
	{"ubig", "18446744073709551615::UBIGINT", "18446744073709551615", "18446744073709551615", "UBIGINT", ""},
	{"huge_min", "(-9223372036854775808)::HUGEINT", "-9223372036854775808", "-9223372036854775808", "BIGINT", ""},
	{"huge_sum", "sum(9223372036854775807)", "9223372036854775807", "9223372036854775807", "BIGINT", ""},
	{"uhuge", "9223372036854775807::UHUGEINT", "9223372036854775807", "9223372036854775807", "BIGINT", ""},
	// A float is a DOUBLE of the digits the CSV prints (0.1, not
	// 0.10000000149011612); a REAL failed the export.
	{"real", "0.1::REAL", "0.1", "0.1", "DOUBLE", ""},
	{"float_big", "1e30::FLOAT", "1000000000000000000000000000000", "1e+30", "DOUBLE", "1e+30"},
	{"float_inf", "'-inf'::FLOAT", "-Inf", `"-Inf"`, "DOUBLE", "-inf"},
	{"double", "0.1::DOUBLE", "0.1", "0.1", "DOUBLE", ""},
	{"bool", "true", "true", "true", "BOOLEAN", ""},
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
	{"ts_tz", "TIMESTAMPTZ '2026-12-03 04:05:06.5+02'", "2026-12-03T02:05:06.5Z", "", "TIMESTAMP WITH TIME ZONE", "2026-12-03 02:05:06.5+00"},
	// Nanoseconds are kept (DuckDB reads them back to microseconds; the
	// parquet-go check sees them all).
	{"ts_ns", "TIMESTAMP_NS '2026-12-03 04:05:06.123456789'", "2026-12-03T04:05:06.123456789Z", "", "TIMESTAMP WITH TIME ZONE", "2026-12-03 04:05:06.123456+00"},
	{"ts_ms", "TIMESTAMP_MS '1969-12-31 23:59:59.5'", "1969-12-31T23:59:59.5Z", "", "TIMESTAMP WITH TIME ZONE", "1969-12-31 23:59:59.5+00"},
	// Infinities are said as DuckDB says them, and written as its parquet
	// reader reads them back (a TIMESTAMP_S 'infinity' was 1969-12-31).
	{"ts_inf", "'infinity'::TIMESTAMP", "infinity", "", "TIMESTAMP WITH TIME ZONE", ""},
	{"ts_ninf", "'-infinity'::TIMESTAMPTZ", "-infinity", "", "TIMESTAMP WITH TIME ZONE", ""},
	{"ts_s_inf", "'infinity'::TIMESTAMP_S", "infinity", "", "TIMESTAMP WITH TIME ZONE", ""},
	{"ts_ns_ninf", "'-infinity'::TIMESTAMP_NS", "-infinity", "", "TIMESTAMP WITH TIME ZONE", ""},
	{"date_inf", "'infinity'::DATE", "infinity", "", "DATE", ""},
	{"date_bc", "DATE '0001-01-01' - 1", "0001-12-31 (BC)", "", "DATE", ""},
	{"stamps", "[TIMESTAMP '2026-12-03 04:05:06']", `["2026-12-03T04:05:06Z"]`, `["2026-12-03T04:05:06Z"]`, "VARCHAR", ""},
	{"decs", "[1.50::DECIMAL(4,2), NULL]", `[1.5,null]`, `[1.5,null]`, "VARCHAR", ""},
	{"map_text", "MAP {'k': 1, 'a': 2}", `{"k":1,"a":2}`, `{"k":1,"a":2}`, "VARCHAR", ""},
	{"map_int", "MAP {2: DATE '2026-12-03'}", `[{"key":2,"value":"2026-12-03"}]`, `[{"key":2,"value":"2026-12-03"}]`, "VARCHAR", ""},
	{"map_empty", "MAP {}::MAP(VARCHAR, INTEGER)", `{}`, `{}`, "VARCHAR", ""},
	{"struct", "{'d': DATE '2026-12-03', 'u u': '" + testUUID + "'::UUID}", `{"d":"2026-12-03","u u":"` + testUUID + `"}`, `{"d":"2026-12-03","u u":"` + testUUID + `"}`, "VARCHAR", ""},
	// A BLOB is bytes in parquet, not a string: DuckDB refused to read one
	// that is not UTF-8 back. As text it is base64 in every format, as JSON
	// writes bytes: CSV and the table wrote the raw bytes, NUL included.
	{"blob", "'ab'::BLOB", "YWI=", `"YWI="`, "BLOB", "ab"},
	{"blob_bin", `'\xFF\x00'::BLOB`, "/wA=", `"/wA="`, "BLOB", `\xFF\x00`},
	{"json", `'{"b": [1, 2.5]}'::JSON`, `{"b":[1,2.5]}`, `{"b":[1,2.5]}`, "JSON", ""},
	{"union", "union_value(k := DATE '2026-12-03')", "2026-12-03", "", "VARCHAR", ""},
	{"nums", "[1::TINYINT, NULL]", "[1,null]", "[1,null]", "VARCHAR", ""},
	{"huges", "[170141183460469231731687303715884105727::HUGEINT]", "[170141183460469231731687303715884105727]", "[170141183460469231731687303715884105727]", "VARCHAR", ""},
	{"struct_nums", "{'f': 0.1::REAL, 'u': 18446744073709551615::UBIGINT}", `{"f":0.1,"u":18446744073709551615}`, `{"f":0.1,"u":18446744073709551615}`, "VARCHAR", ""},
	{"null", "NULL", "", "null", "BIGINT", ""},
	{"null_text", "NULL::VARCHAR", "", "null", "VARCHAR", ""},
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
// as Go structs, bytes or instants, and parquet columns in name order. In
// parquet each keeps a type of its own where parquet has one, read back by
// DuckDB and by parquet-go as the same value.
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
			var got sql.NullString
			q := `SELECT CAST("` + c.name + `" AS VARCHAR) FROM read_parquet(?)`
			if err := db.QueryRow(q, path).Scan(&got); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			want := c.text
			if c.parquetTxt != "" {
				want = c.parquetTxt
			}
			if got.String != want {
				t.Errorf("%s: parquet %q, want %q", c.expr, got.String, want)
			}
		}
	})

	// parquet-go reads each value as the CSV prints it: what DuckDB's reader
	// hides (nanoseconds) or interprets (sentinels) is checked here.
	t.Run("parquet-go", func(t *testing.T) {
		raw := duckQuery(t, db, "parquet")
		f, err := parquet.OpenFile(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			t.Fatal(err)
		}
		row := make([]parquet.Row, 1)
		rows := f.RowGroups()[0].Rows()
		defer rows.Close()
		if n, err := rows.ReadRows(row); n != 1 {
			t.Fatalf("%d rows, %v", n, err)
		}
		fields := f.Schema().Fields()
		for i, c := range duckTypes {
			if got := parquetText(row[0][i], fields[i]); !sameValue(got, c.text) {
				t.Errorf("%s: parquet-go reads %q (%s), want %q", c.expr, got, fields[i].Type(), c.text)
			}
		}
	})
}

// parquetText is a parquet value as the CSV writes the column.
func parquetText(v parquet.Value, n parquet.Node) string {
	if v.IsNull() {
		return ""
	}
	var lt format.LogicalTypeValue
	if l := n.Type().LogicalType(); l != nil {
		lt = l.Value
	}
	switch lt := lt.(type) {
	case *format.IntType:
		if !lt.IsSigned {
			return strconv.FormatUint(v.Uint64(), 10)
		}
	case *format.TimestampType:
		switch n := v.Int64(); n {
		case math.MaxInt64:
			return "infinity"
		case -math.MaxInt64:
			return "-infinity"
		}
		if _, ns := lt.Unit.Value.(*format.NanoSeconds); ns {
			return time.Unix(0, v.Int64()).UTC().Format(time.RFC3339Nano)
		}
		return time.UnixMicro(v.Int64()).UTC().Format(time.RFC3339Nano)
	case *format.DateType:
		switch n := v.Int32(); n {
		case math.MaxInt32:
			return "infinity"
		case -math.MaxInt32:
			return "-infinity"
		}
		return duckdbtext.Date(time.Unix(int64(v.Int32())*86400, 0).UTC())
	case *format.DecimalType:
		var u *big.Int
		switch v.Kind() {
		case parquet.Int32, parquet.Int64:
			u = big.NewInt(v.Int64())
		default: // big-endian two's complement
			b := v.ByteArray()
			u = new(big.Int).SetBytes(b)
			if len(b) > 0 && b[0]&0x80 != 0 {
				u.Sub(u, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
			}
		}
		r := new(big.Rat).SetFrac(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(lt.Scale)), nil))
		return r.RatString()
	}
	switch v.Kind() {
	case parquet.ByteArray:
		if lt == nil { // bytes, not text: as the CSV writes them
			return base64.StdEncoding.EncodeToString(v.ByteArray())
		}
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	case parquet.Int32, parquet.Int64:
		return strconv.FormatInt(v.Int64(), 10)
	case parquet.Double:
		return strconv.FormatFloat(v.Double(), 'f', -1, 64)
	}
	return string(v.ByteArray())
}

// sameValue compares texts as numbers where both are (a DECIMAL's 1.50
// and 1.5), else as text.
func sameValue(a, b string) bool {
	x, okx := new(big.Rat).SetString(a)
	y, oky := new(big.Rat).SetString(b)
	if okx && oky {
		return x.Cmp(y) == 0
	}
	return a == b
}
