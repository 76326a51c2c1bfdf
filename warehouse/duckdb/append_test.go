package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	"github.com/synctrack/synctrack/warehouse"
)

// appendValues (the Appender) stores what insertValues (literal VALUES)
// stores, value for value: quotes, backslashes, NUL bytes and bytes that
// are not UTF-8 (both as the literal stores them), non-ASCII, NULLs,
// integers, instants to the nanosecond.
func TestAppendValuesStoresWhatLiteralsStore(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, Config{Path: filepath.Join(t.TempDir(), "w.duckdb"), Schema: "synctrack", MemoryLimit: DefaultMemoryLimit}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	at := time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC)
	rows := [][]any{
		{"/tmp/a.parquet", "it's ''quoted'' \\ and \"double\"", "o1", nil, "r\x00un", "records_updated", int64(7), at},
		{"/tmp/b.parquet", "日本語 🙂", "", "s", nil, nil, nil, at.Add(-100 * 365 * 24 * time.Hour)},
		{"/tmp/c.parquet", "x; DROP TABLE synctrack.load_ledger; --", "o'1", "s'1", "r'1", "", int64(-1), time.Unix(0, 0).UTC()},
		{"/tmp/d.parquet", "bad \xff key", "o\x001", nil, nil, nil, 3, time.Unix(1700000000, 999_999_999)},
		{"/tmp/e.parquet", "k", "o", nil, nil, nil, nil, time.Unix(1700000000, 500)},
		{"/tmp/f.parquet", "k2", "o", nil, nil, nil, nil, time.Unix(-1700000000, 1_500)},
	}
	cols := []string{"path", "key", "org_id", "sync_id", "run_id", "batch_type", "batch_number", "mtime"}
	create := func(tx *sql.Tx, name string) {
		if _, err := tx.Exec(`CREATE OR REPLACE TEMP TABLE ` + name + ` (path VARCHAR, key VARCHAR, org_id VARCHAR, sync_id VARCHAR,
  run_id VARCHAR, batch_type VARCHAR, batch_number BIGINT, mtime TIMESTAMPTZ)`); err != nil {
			t.Fatal(err)
		}
	}
	err = w.inConnTx(ctx, nil, func(conn *sql.Conn, tx *sql.Tx) error {
		create(tx, "_st_appended")
		create(tx, "_st_literal")
		if err := w.appendValues(ctx, conn, "_st_appended", cols, rows); err != nil {
			return err
		}
		if err := w.insertValues(ctx, tx, "_st_literal", len(cols), rows); err != nil {
			return err
		}
		var n, diff int64
		if err := tx.QueryRow(`SELECT count(*) FROM _st_appended`).Scan(&n); err != nil || n != int64(len(rows)) {
			t.Errorf("%d rows appended (%v), want %d", n, err, len(rows))
		}
		q := `SELECT count(*) FROM ((SELECT * FROM _st_appended EXCEPT ALL SELECT * FROM _st_literal)
  UNION ALL (SELECT * FROM _st_literal EXCEPT ALL SELECT * FROM _st_appended))`
		if err := tx.QueryRow(q).Scan(&diff); err != nil || diff != 0 {
			t.Errorf("%d rows differ between the Appender and the literals (%v)", diff, err)
			for _, tb := range []string{"_st_appended", "_st_literal"} {
				rs, _ := tx.Query(`SELECT CAST(x AS VARCHAR), octet_length(encode(x.run_id)), x.mtime FROM ` + tb + ` x`)
				for rs.Next() {
					var r string
					var l sql.NullInt64
					var m any
					rs.Scan(&r, &l, &m)
					t.Logf("%s: %q %v %v", tb, r, l, m)
				}
				rs.Close()
			}
		}
		var key string
		if err := tx.QueryRow(`SELECT run_id FROM _st_appended WHERE path = '/tmp/a.parquet'`).Scan(&key); err != nil || key != "run" {
			t.Errorf("run_id %q (%v), want the NUL dropped, as a literal drops it", key, err)
		}

		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A key or a path's id that _st_batch would not store as it is (a NUL
// byte, bytes that are not UTF-8) leaves the batch to the SQL pass, whose
// _file is the stored key; a plain one does not.
func TestTallyRowsRefusesKeysNotStoredAsTheyAre(t *testing.T) {
	for _, c := range []struct {
		f  warehouse.Object
		ok bool
	}{
		{warehouse.Object{Key: "a/b.parquet", OrgID: "o"}, true},
		{warehouse.Object{Key: "a/b\x00.parquet", OrgID: "o"}, false},
		{warehouse.Object{Key: "a/b\xff.parquet", OrgID: "o"}, false},
		{warehouse.Object{Key: "a/b.parquet", OrgID: "o\x00"}, false},
		{warehouse.Object{Key: "a/b.parquet", OrgID: "o", RunID: "r\xfe"}, false},
	} {
		r := tallyResult{parts: []*batchTally{{files: []map[countKey]*countGroup{{}}}},
			files: [][]warehouse.File{{{Object: c.f}}}}
		if _, _, ok := tallyRows(r); ok != c.ok {
			t.Errorf("%+q: tallyRows ok %v, want %v", c.f.Key+" "+c.f.OrgID+" "+c.f.RunID, ok, c.ok)
		}
	}
}

// tallyRows boxes a file's batch start once and its batch end once for all
// its rows (the rows of a batch of small files are some 14,000 a batch),
// and still gives each row its own values.
func TestTallyRowsBoxStampsOnce(t *testing.T) {
	start, end := int64(1_700_000_000_000_000), int64(1_700_000_060_000_000)
	p := &batchTally{strs: []string{"o", "s", "r", "fp", "msg"}}
	p.files = []map[countKey]*countGroup{{
		{0, 1, 2, start, true, 0, nullID}: {rows: 5, ended: end, endedOK: true, msg: nullID},
		{0, 1, 2, start, true, 1, 3}:      {rows: 2, ended: end, endedOK: true, msg: 4},
		{0, 1, 2, start, true, 2, 3}:      {rows: 1, ended: end, endedOK: true, msg: 4},
	}}
	f := warehouse.File{}
	f.Key, f.OrgID = "k", "o"
	outs, fps, ok := tallyRows(tallyResult{parts: []*batchTally{p}, files: [][]warehouse.File{{f}}})
	if !ok || len(outs) != 3 || len(fps) != 2 {
		t.Fatalf("%d outcome rows, %d fingerprint rows, ok %v; want 3, 2, true", len(outs), len(fps), ok)
	}
	data := func(v driver.Value) unsafe.Pointer { return (*[2]unsafe.Pointer)(unsafe.Pointer(&v))[1] }
	for _, r := range outs {
		if r.started.(time.Time).UnixMicro() != start || r.ended.(time.Time).UnixMicro() != end {
			t.Errorf("outcome row %v-%v, want %d-%d", r.started, r.ended, start, end)
		}
		if data(r.started) != data(outs[0].started) || data(r.ended) != data(outs[0].ended) {
			t.Error("an outcome row's batch start or end boxed again")
		}
	}
	for _, r := range fps {
		if data(r.started) != data(outs[0].started) {
			t.Error("a fingerprint row's batch start boxed again")
		}
	}
}
