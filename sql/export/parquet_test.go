package export

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func duckDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	return db
}

// exportQuery streams q's result in format, returning the bytes and Stream's error.
func exportQuery(t *testing.T, db *sql.DB, q, format string) ([]byte, error) {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out bytes.Buffer
	w, err := New(format, &out)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Stream(rows, w)
	return out.Bytes(), err
}

// A HUGEINT (DuckDB's sum() of integers) is an INT64 in parquet; one beyond
// INT64 fails the export, naming the column and the value, where it was
// wrapped (2^127-1 written as -1). CSV and JSON, which hold any integer,
// still write it exactly.
func TestParquetIntegerOutOfRange(t *testing.T) {
	db := duckDB(t)
	for _, c := range []struct{ value, typ string }{
		{"9223372036854775808", "HUGEINT"},
		{"-9223372036854775809", "HUGEINT"},
		{"170141183460469231731687303715884105727", "HUGEINT"},
		{"340282366920938463463374607431768211455", "UHUGEINT"},
	} {
		// The value on the second row: the first is written, then the
		// export stops.
		q := "SELECT * FROM (VALUES (1, 1::" + c.typ + "), (2, '" + c.value + "'::" + c.typ + ")) t(id, total) ORDER BY id"
		_, err := exportQuery(t, db, q, "parquet")
		if !errors.Is(err, errRange) || !strings.Contains(err.Error(), `column "total"`) || !strings.Contains(err.Error(), c.value) {
			t.Errorf("%s %s: parquet export says %v, want an out-of-range error naming the column and the value", c.typ, c.value, err)
		}
		for _, format := range []string{"csv", "json"} {
			out, err := exportQuery(t, db, q, format)
			if err != nil || !strings.Contains(string(out), c.value) {
				t.Errorf("%s %s: %s %v:\n%s", c.typ, c.value, format, err, out)
			}
		}
	}

	// INT64's own ends are written.
	q := "SELECT (-9223372036854775808)::HUGEINT AS lo, 9223372036854775807::HUGEINT AS hi"
	if _, err := exportQuery(t, db, q, "parquet"); err != nil {
		t.Errorf("INT64's ends: %v", err)
	}
}

// A DECIMAL value is checked against its column's width too: INT32 and
// INT64 would wrap one with more digits. No engine gives one, but the
// writer does not take that on trust; PostgreSQL's numeric(p,s) holds NaN,
// which no parquet DECIMAL does.
func TestParquetDecimalOutOfRange(t *testing.T) {
	for _, c := range []struct {
		typ string
		v   any
	}{
		{"DECIMAL(4,1)", json.Number("12345.6")},
		{"DECIMAL(18,0)", json.Number("-9999999999999999999")},
		{"DECIMAL(38,2)", json.Number("1e37")},
		{"DECIMAL(10,2)", "NaN"},
		{"DECIMAL(10,2)", json.Number("1.005")},
	} {
		w, _ := New("parquet", &bytes.Buffer{})
		if err := w.Begin([]Column{{"n", c.typ}}); err != nil {
			t.Fatal(err)
		}
		err := w.Row([]any{c.v})
		if err == nil || !strings.Contains(err.Error(), `column "n"`) {
			t.Errorf("%v in %s: %v, want an error naming the column", c.v, c.typ, err)
		}
	}
}

// UBIGINT (hash() gives one) is an unsigned INT64: all 64 bits, read back
// as UBIGINT, its statistics ordered as unsigned so that a filter DuckDB
// pushes down to them finds the values above 2^63.
func TestParquetUnsignedBigint(t *testing.T) {
	db := duckDB(t)
	raw, err := exportQuery(t, db, "SELECT * FROM (VALUES (1::UBIGINT), (18446744073709551615::UBIGINT), (hash('x'))) t(h)", "parquet")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "h.parquet")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	var typ string
	var n int
	var max string
	err = db.QueryRow(`SELECT any_value(typeof(h)), count(*), CAST(max(h) AS VARCHAR) FROM read_parquet(?) WHERE h > 9223372036854775807`, path).Scan(&typ, &n, &max)
	var want int
	db.QueryRow(`SELECT count(*) FROM (VALUES (1::UBIGINT), (18446744073709551615::UBIGINT), (hash('x'))) t(h) WHERE h > 9223372036854775807`).Scan(&want)
	if err != nil || typ != "UBIGINT" || n != want || max != "18446744073709551615" {
		t.Errorf("read back: %v %s, %d rows above 2^63-1 (want %d), max %s", err, typ, n, want, max)
	}
}
