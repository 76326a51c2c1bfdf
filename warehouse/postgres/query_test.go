package postgres_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/pgtest"
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
	if v[3] != json.Number("1.50") {
		t.Errorf("numeric: %#v, want its digits as a JSON number", v[3])
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
