package postgres_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// oddRow is a records file's row in the shapes the vendor may write: an
// integer identifier, a zone-less millisecond timestamp, one as text, no
// sync ids (taken from the path), and columns nobody documented.
type oddRow struct {
	Identifier int64   `parquet:"identifier"`
	Payload    string  `parquet:"record_payload"`
	Status     *string `parquet:"status,optional"`
	Message    string  `parquet:"status_message"`
	Started    int64   `parquet:"batch_started_at,timestamp(millisecond:local)"`
	Ended      string  `parquet:"batch_ended_at"`
	Retry      *int64  `parquet:"retry_count,optional"`
	Note       string  `parquet:"Note"`
}

const runDir = "sync_tracking_datasets/o1/s1/r1/"

func writeParquet[T any](t *testing.T, dir, key string, rows []T, opts ...parquet.WriterOption) {
	t.Helper()
	var b bytes.Buffer
	if err := parquet.Write(&b, rows, opts...); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, filepath.FromSlash(key))
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Input the other engines take loads here too, as they load it; what
// PostgreSQL cannot store is repaired and counted in the ledger row; a row
// PostgreSQL refuses fails its file alone, named; a records file without
// an identifier fails naming its columns. The same when the batch is
// split over two transactions (the refused file's part rolls back the
// other, and the loader narrows the failure down as in one).
func TestOddInputLoads(t *testing.T) {
	t.Run("one", func(t *testing.T) { oddInputLoads(t, false) })
	t.Run("split", func(t *testing.T) { oddInputLoads(t, true) })
}

func oddInputLoads(t *testing.T, split bool) {
	url, dir := testbucket.Dir(t)
	ok := "succeeded"
	started := time.Date(2026, 1, 5, 8, 1, 19, 369_000_000, time.UTC)
	retry := int64(2)
	writeParquet(t, dir, runDir+"records_updated.0.parquet", []oddRow{
		{Identifier: 42, Payload: `{"email":"a@b","n":1}`, Status: &ok, Message: "bad \xff utf8",
			Started: started.UnixMilli(), Ended: "2026-01-05 08:02:00.123456+00", Retry: &retry, Note: "x"},
		{Identifier: 43, Payload: "not json", Message: "nul\x00byte", Started: started.UnixMilli(), Ended: "2026-01-05T08:02:00Z"},
		{Identifier: 44, Payload: `{"k":"a\u0000b","s":"\ud800","pair":"\ud83d\ude00"}`, Started: started.UnixMilli(), Ended: "2026-01-05"},
	})
	writeParquet(t, dir, runDir+"records_updated.1.parquet", []oddRow{
		{Identifier: 50, Payload: `{"n":1e1000000}`, Started: started.UnixMilli(), Ended: "2026-01-05"},
	})
	writeParquet(t, dir, runDir+"records_updated.2.parquet", []struct {
		ID string `parquet:"id"`
	}{{"x"}})
	writeParquet(t, dir, runDir+"records_updated.3.parquet", []oddRow{{Identifier: 60, Payload: "{}", Ended: "2026-01-05"}})

	w := open(t, pgtest.URL(t), warehouse.Options{})
	if split {
		postgres.SplitEveryBatch(w.(*postgres.Warehouse))
	}
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]string{}
	for _, f := range rep.Failed {
		failed[f.Key] = f.Err.Error()
		if warehouse.ClassOf(f.Err) != warehouse.Data {
			t.Errorf("%s failed with a %s error: %v", f.Key, warehouse.ClassOf(f.Err), f.Err)
		}
	}
	if len(failed) != 2 || !strings.Contains(failed[runDir+"records_updated.1.parquet"], "numeric") ||
		!strings.Contains(failed[runDir+"records_updated.2.parquet"], "no identifier column (its columns: id)") {
		t.Errorf("failed: %v; want the overflowing and the identifier-less file, named", failed)
	}
	if rep.Rows != 4 {
		t.Errorf("loaded %d rows, want 4", rep.Rows)
	}
	got := rowsOf(t, w, `SELECT identifier, record_payload::text, coalesce(status, 'NULL'), status_message,
  batch_started_at, batch_ended_at, sync_configuration_id, sync_run_id, org_id, batch_type, batch_number, _row,
  coalesce(_extra::text, 'NULL') FROM synctrack_schema.sync_records ORDER BY identifier`)
	want := []string{
		`42|{"n": 1, "email": "a@b"}|succeeded|bad ` + "\uFFFD" + ` utf8|2026-01-05T08:01:19.369Z|2026-01-05T08:02:00.123456Z|s1|r1|o1|records_updated|0|0|{"Note": "x", "retry_count": 2}`,
		`43|"not json"|NULL|nulbyte|2026-01-05T08:01:19.369Z|2026-01-05T08:02:00Z|s1|r1|o1|records_updated|0|1|{"Note": "", "retry_count": null}`,
		`44|{"k": "a` + "\uFFFD" + `b", "s": "` + "\uFFFD" + `", "pair": "😀"}|NULL||2026-01-05T08:01:19.369Z|2026-01-05T00:00:00Z|s1|r1|o1|records_updated|0|2|{"Note": "", "retry_count": null}`,
		`60|{}|NULL||1970-01-01T00:00:00Z|2026-01-05T00:00:00Z|s1|r1|o1|records_updated|3|0|{"Note": "", "retry_count": null}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	note := rowsOf(t, w, `SELECT error FROM synctrack_schema.load_ledger WHERE key = $1`, runDir+"records_updated.0.parquet")
	for _, s := range []string{"repaired 1 string values that were not valid UTF-8", "dropped NUL bytes from 1", "escapes by \\ufffd in 1 JSON"} {
		if len(note) != 1 || !strings.Contains(note[0], s) {
			t.Errorf("ledger note %q lacks %q", note, s)
		}
	}
}

// rowsOf runs q and prints each row as its values joined by |.
func rowsOf(t *testing.T, w warehouse.Warehouse, q string, args ...any) []string {
	t.Helper()
	q = strings.ReplaceAll(q, "synctrack_schema", w.Dialect().Ident(w.Schema()))
	rs, err := w.(*postgres.Warehouse).Pool().Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		vals, err := rs.Values()
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, v := range vals {
			switch x := v.(type) {
			case time.Time:
				parts = append(parts, x.UTC().Format(time.RFC3339Nano))
			case nil:
				parts = append(parts, "")
			default:
				parts = append(parts, strings.TrimSpace(fmtAny(x)))
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if rs.Err() != nil {
		t.Fatal(rs.Err())
	}
	return out
}

// Values written as DuckDB writes them load as DuckDB loads them (found by
// a review): unsigned 64-bit integers as themselves, not negative (the
// identifier, an extra column, a fact column); a decimal extra column as
// a JSON number, not a string; a batch start as text with " UTC" or an
// offset without its colon, not a failed file.
func TestUnsignedDecimalsAndZonedText(t *testing.T) {
	type row struct {
		Identifier uint64 `parquet:"identifier"`
		Payload    string `parquet:"record_payload"`
		Started    string `parquet:"batch_started_at"`
		Ended      string `parquet:"batch_ended_at"`
		Big        uint64 `parquet:"big"`
		Small      uint32 `parquet:"small"`
		Price      int64  `parquet:"price,decimal(2:10)"`
	}
	type fact struct {
		ID  string `parquet:"id"`
		Big uint64 `parquet:"big"`
		// A DECIMAL(38,2) in 16 bytes of two's complement, as DuckDB writes
		// it: -1.25 came as a 37-digit positive number (found by a review).
		Wide [16]byte `parquet:"wide,decimal(2:38)"`
	}
	url, dir := testbucket.Dir(t)
	writeParquet(t, dir, runDir+"records_updated.0.parquet", []row{
		{Identifier: math.MaxUint64, Payload: "{}", Started: "2026-01-05 10:00:00 UTC", Ended: "2026-01-05T10:00:00-0500",
			Big: math.MaxUint64, Small: math.MaxUint32, Price: -125},
	})
	minus125 := [16]byte{}
	for i := range minus125 {
		minus125[i] = 0xff
	}
	minus125[15] = 0x83 // -125: ...ff83
	writeParquet(t, dir, "metadata/o1/destinations.parquet", []fact{{ID: "1", Big: math.MaxUint64, Wide: minus125}})
	w := open(t, pgtest.URL(t), warehouse.Options{})
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) > 0 {
		t.Fatalf("failed: %v", rep.Failed)
	}
	got := rowsOf(t, w, `SELECT identifier, batch_started_at, batch_ended_at, _extra::text FROM synctrack_schema.sync_records`)
	want := `18446744073709551615|2026-01-05T10:00:00Z|2026-01-05T15:00:00Z|{"big": 18446744073709551615, "price": -1.25, "small": 4294967295}`
	if len(got) != 1 || got[0] != want {
		t.Errorf("rows %v, want %s", got, want)
	}
	if got := rowsOf(t, w, `SELECT big::text || ' ' || wide::text FROM synctrack_schema.destinations`); len(got) != 1 || got[0] != "18446744073709551615 -1.25" {
		t.Errorf("the fact columns: %v, want 18446744073709551615 -1.25", got)
	}
}

// A metadata.json holding \u0000 (a value, a payload field's name) loads,
// as on DuckDB, the escape replaced and the ledger row saying so: jsonb
// refuses it, and the run failed with a hint about the database's encoding
// (found by a review).
func TestMetadataNulEscapesLoad(t *testing.T) {
	url, dir := testbucket.Dir(t)
	started := time.Date(2026, 1, 5, 8, 1, 19, 0, time.UTC).UnixMilli()
	writeParquet(t, dir, runDir+"records_updated.0.parquet", []oddRow{{Identifier: 1, Payload: `{"a\u0000":"x"}`, Started: started, Ended: "2026-01-05"}})
	meta := `{"org_id":"o1","sync_configuration_id":"s1","sync_run_id":"r1","note":"a\u0000b","record_payload_schema":{"a\u0000":"string"}}`
	if err := os.WriteFile(filepath.Join(dir, runDir+"metadata.json"), []byte(meta), 0o644); err != nil {
		t.Fatal(err)
	}
	w := open(t, pgtest.URL(t), warehouse.Options{})
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) > 0 {
		t.Fatalf("failed: %v", rep.Failed)
	}
	got := rowsOf(t, w, `SELECT metadata->>'note', payload_schema::text FROM synctrack_schema.sync_runs`)
	if want := "a\uFFFDb|{\"a\uFFFD\": \"string\"}"; len(got) != 1 || got[0] != want {
		t.Errorf("runs %q, want %q", got, want)
	}
	note := rowsOf(t, w, `SELECT error FROM synctrack_schema.load_ledger WHERE key = $1`, runDir+"metadata.json")
	if len(note) != 1 || !strings.Contains(note[0], `\ufffd`) {
		t.Errorf("ledger note %q, want the repair said", note)
	}
}
