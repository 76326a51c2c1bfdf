package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
)

// The query path gives JSON as PostgreSQL keeps it, never decoded: a number
// no float64 holds (1e400) would fail the whole query, and a 20-digit one
// would come back rounded. Other types come as pgx decodes them.
func TestQueryGivesJSONAsText(t *testing.T) {
	ctx := context.Background()
	w := open(t, pgtest.URL(t), warehouse.Options{})
	rs, err := w.Query(ctx, `SELECT CAST('{"big": 1e400, "id": 12345678901234567890}' AS jsonb) AS j,
  CAST('[1e400]' AS json) AS k, CAST(NULL AS jsonb) AS z, CAST(1.50 AS numeric) AS n, CAST(7 AS bigint) AS i,
  CAST('2026-03-02 10:00:00+00' AS timestamptz) AS ts, 'x' AS s, $1 AS p,
  CAST('5e0b4f0e-0d6b-4c1a-9f6e-1c1a2b3c4d5e' AS uuid) AS u, interval '90 minutes' AS iv, CAST('NaN' AS numeric) AS nan,
  CAST(now() - now() AS interval) AS zero`, []warehouse.Arg{{Name: "p", Value: "bound"}})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if !rs.Next() {
		t.Fatalf("no row: %v", rs.Err())
	}
	v := make([]any, 12)
	p := make([]any, len(v))
	for i := range v {
		p[i] = &v[i]
	}
	if err := rs.Scan(p...); err != nil {
		t.Fatal(err)
	}
	// jsonb orders keys by length and writes 1e400's digits out.
	want1 := `{"id": 12345678901234567890, "big": 1000`
	if s, ok := v[0].(string); !ok || len(s) < 400 || s[:len(want1)] != want1 {
		t.Errorf("jsonb: %T %.80v", v[0], v[0])
	}
	if v[1] != "[1e400]" {
		t.Errorf("json: %#v, want its text", v[1])
	}
	if v[2] != nil {
		t.Errorf("NULL jsonb: %#v", v[2])
	}
	if v[3] != json.Number("1.5") {
		t.Errorf("numeric: %#v, want its digits as a JSON number, as DuckDB prints them", v[3])
	}
	if v[4] != int64(7) {
		t.Errorf("bigint: %#v", v[4])
	}
	if ts, ok := v[5].(time.Time); !ok || !ts.Equal(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("timestamptz: %#v", v[5])
	}
	if v[6] != "x" || v[7] != "bound" {
		t.Errorf("text: %#v %#v", v[6], v[7])
	}
	// What pgx gives as structs and byte arrays comes as PostgreSQL's text
	// (synctrack query printed {5400000000 0 0 true} for an interval).
	for i, want := range map[int]string{8: "5e0b4f0e-0d6b-4c1a-9f6e-1c1a2b3c4d5e", 9: "01:30:00", 10: "NaN", 11: "00:00:00"} {
		if v[i] != want {
			t.Errorf("column %d: %#v, want %q", i, v[i], want)
		}
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
}

// The query path's types reach parquet as PostgreSQL's own: numeric(p,s)
// a DECIMAL(p,s) (its type modifier read; it was text), int2 an INT64 and
// float4 a DOUBLE (both failed the export), infinities DuckDB's sentinels
// (they failed it), bytea bytes (DuckDB refused to read non-UTF-8 back),
// jsonb JSON. A bare numeric (sum(bigint)) has no scale: text.
func TestQueryTypesToParquet(t *testing.T) {
	ctx := context.Background()
	w := open(t, pgtest.URL(t), warehouse.Options{})
	query := func(q string) (warehouse.Rows, []string) {
		t.Helper()
		rs, err := w.Query(ctx, q, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rs.Close() })
		return rs, rs.(interface{ ColumnTypeNames() []string }).ColumnTypeNames()
	}
	toParquet := func(rs warehouse.Rows) ([]byte, error) {
		var b bytes.Buffer
		ew, err := export.New("parquet", &b)
		if err != nil {
			t.Fatal(err)
		}
		_, err = export.Stream(rs, ew)
		return b.Bytes(), err
	}

	rs, types := query(`SELECT CAST(-1.50 AS numeric(10,2)) AS d, CAST(123456789012345678901.5 AS numeric(30,1)) AS wide,
  CAST(1.5 AS numeric) AS bare, CAST(1000 AS numeric(2,-3)) AS neg, CAST(-3 AS int2) AS small, CAST(0.1 AS float4) AS r,
  CAST('infinity' AS timestamptz) AS inf, CAST('-infinity' AS date) AS ninf, CAST('\xff00' AS bytea) AS b,
  CAST('{"a": 1}' AS jsonb) AS j`)
	wantTypes := []string{"DECIMAL(10,2)", "DECIMAL(30,1)", "DECIMAL", "DECIMAL(2,-3)", "SMALLINT", "REAL", "TIMESTAMPTZ", "DATE", "BLOB", "JSON"}
	if strings.Join(types, " ") != strings.Join(wantTypes, " ") {
		t.Errorf("column types %q, want %q", types, wantTypes)
	}
	raw, err := toParquet(rs)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	row := make([]parquet.Row, 1)
	rows := f.RowGroups()[0].Rows()
	defer rows.Close()
	if n, _ := rows.ReadRows(row); n != 1 {
		t.Fatalf("%d rows", n)
	}
	fields := f.Schema().Fields()
	for i, c := range []struct {
		typ  string
		want any
	}{
		{"DECIMAL(10,2)", int64(-150)},
		{"DECIMAL(30,1)", "1234567890123456789015"}, // 16 bytes, big-endian
		{"STRING", "1.5"},
		{"STRING", "1000"},
		{"INT(64,true)", int64(-3)},
		{"DOUBLE", 0.1},
		{"TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", int64(math.MaxInt64)},
		{"DATE", int64(-math.MaxInt32)},
		{"BYTE_ARRAY", "\xff\x00"},
		{"JSON", `{"a": 1}`},
	} {
		v := row[0][i]
		if got := fields[i].Type().String(); got != c.typ {
			t.Errorf("%s: parquet %s, want %s", fields[i].Name(), got, c.typ)
		}
		var got any
		switch c.want.(type) {
		case int64:
			got = v.Int64()
		case float64:
			got = v.Double()
		case string:
			got = string(v.ByteArray())
		}
		if fields[i].Name() == "wide" {
			got = new(big.Int).SetBytes(v.ByteArray()).String()
		}
		if got != c.want {
			t.Errorf("%s: %#v, want %#v", fields[i].Name(), got, c.want)
		}
	}

	// What no parquet column of the type holds fails the export, naming the
	// column: NaN in a numeric(p,s), a timestamp past DuckDB's last (and
	// parquet's int64 of microseconds since 1970), which was wrapped.
	for _, c := range []struct{ q, want string }{
		{`SELECT CAST('NaN' AS numeric(10,2)) AS n`, `column "n": "NaN" is no DECIMAL(10,2) value`},
		{`SELECT CAST('294270-01-01 00:00:00+00' AS timestamptz) AS late`, `column "late": 294270-01-01T00:00:00Z is out of range`},
	} {
		rs, _ := query(c.q)
		if _, err := toParquet(rs); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.q, err, c.want)
		}
	}
}
