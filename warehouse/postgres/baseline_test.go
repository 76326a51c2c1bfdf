package postgres_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// The two ceilings of `synctrack bench` load every row of the files, the
// first with the payload as text, the second as jsonb (parsed: its keys
// come back in jsonb's order), so the second measures what the contract's
// payload type costs the server.
func TestBaselineLoads(t *testing.T) {
	dir := t.TempDir()
	rows := []oddRow{{Identifier: 1, Payload: `{"z":1,"a":"x"}`, Ended: "2026-01-05"}, {Identifier: 2, Payload: `[1,2]`, Ended: "2026-01-05"}}
	writeParquet(t, dir, "a.parquet", rows)
	writeParquet(t, dir, "b.parquet", rows[:1])
	files := []string{filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")}
	w := open(t, pgtest.URL(t), warehouse.Options{})
	pw := w.(*postgres.Warehouse)
	for _, c := range []struct {
		table   string
		load    func(context.Context, []string) (int64, error)
		typ     string
		payload string
	}{
		{"_baseline", pw.BaselineLoad, "text", `{"z":1,"a":"x"}`},
		{"_baseline_json", pw.JSONBaselineLoad, "jsonb", `{"a": "x", "z": 1}`},
	} {
		n, err := c.load(context.Background(), files)
		if err != nil || n != 3 {
			t.Fatalf("%s ceiling: %d rows, %v; want 3", c.table, n, err)
		}
		got := rowsOf(t, w, `SELECT pg_typeof(record_payload)::text, record_payload::text FROM synctrack_schema.`+c.table+`
  WHERE identifier = 1 LIMIT 1`)
		if want := c.typ + "|" + c.payload; len(got) != 1 || got[0] != want {
			t.Errorf("%s ceiling's payload: %q, want %q", c.table, got, want)
		}
	}
}
