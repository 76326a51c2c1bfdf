package loader_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/loader"
)

// contents is what a bucket holds, read without the loader: the yardstick
// for "every file exactly once" after a fault.
type contents struct {
	records map[string]int64 // rows per records file, from each file's own parquet footer
	runs    []string         // metadata.json keys
	facts   []string         // fact file keys
}

func contentsOf(t *testing.T, b *blob.Bucket) contents {
	t.Helper()
	ctx := context.Background()
	c := contents{records: map[string]int64{}}
	it := b.List(nil)
	for {
		o, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch loader.Classify(o.Key).Kind {
		case loader.KindMetadata:
			c.runs = append(c.runs, o.Key)
		case loader.KindFact:
			c.facts = append(c.facts, o.Key)
		case loader.KindRecords:
			raw, err := b.ReadAll(ctx, o.Key)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parquet.OpenFile(bytes.NewReader(raw), int64(len(raw)))
			if err != nil {
				t.Fatalf("%s: %v", o.Key, err)
			}
			c.records[o.Key] = f.NumRows()
		}
	}
	if len(c.records) == 0 || len(c.runs) == 0 || len(c.facts) == 0 {
		t.Fatalf("bucket has %d records files, %d runs, %d fact files", len(c.records), len(c.runs), len(c.facts))
	}
	return c
}

// tally is sync_records against the files: records files with rows in,
// rows missing (lost), rows there twice (duplicated).
type tally struct {
	files, lost, duplicated int64
}

func (c contents) tally(t *testing.T, db *sql.DB) tally {
	t.Helper()
	got := map[string]int64{}
	var n tally
	for _, row := range rows(t, db, `SELECT _file, count(*), count(*) - count(DISTINCT _row) FROM synctrack.sync_records GROUP BY 1`) {
		f := strings.Split(row, "|")
		got[f[0]] = int64(atoi(f[1]))
		n.duplicated += int64(atoi(f[2]))
	}
	for key, want := range c.records {
		switch in := got[key]; {
		case in > want:
			n.duplicated += in - want
		case in < want:
			n.lost += want - in
		}
		if got[key] > 0 {
			n.files++
		}
	}
	return n
}

// ledger counts load_ledger rows by status, and the rows about key.
func ledger(t *testing.T, db *sql.DB, key string) (byStatus map[string]int, aboutKey int) {
	t.Helper()
	byStatus = map[string]int{}
	for _, row := range rows(t, db, `SELECT status, count(*) FROM synctrack.load_ledger GROUP BY 1`) {
		status, n, _ := strings.Cut(row, "|")
		byStatus[status] = atoi(n)
	}
	return byStatus, atoi(one(t, db, `SELECT count(*) FROM synctrack.load_ledger WHERE key = ?`, key))
}

// onlyLoaded fails the test when the ledger has a row that is not loaded:
// after a fault that was no object's, nothing may be failed or quarantined.
func onlyLoaded(t *testing.T, db *sql.DB) {
	t.Helper()
	byStatus, _ := ledger(t, db, "")
	for status, n := range byStatus {
		if status != "loaded" {
			t.Fatalf("%d ledger rows %s: %v", n, status, byStatus)
		}
	}
}

// exactlyOnce checks every file of the bucket is in, once: rows per records
// file equal to its footer's, each object loaded once in the ledger and
// nothing else there, one sync_runs row per metadata.json.
func (c contents) exactlyOnce(t *testing.T, db *sql.DB) tally {
	t.Helper()
	n := c.tally(t, db)
	if n.lost != 0 || n.duplicated != 0 || n.files != int64(len(c.records)) {
		t.Fatalf("%d of %d records files in, %d rows lost, %d duplicated", n.files, len(c.records), n.lost, n.duplicated)
	}
	want := len(c.records) + len(c.runs) + len(c.facts)
	if got := one(t, db, `SELECT count(DISTINCT key) FILTER (WHERE status = 'loaded') || '|' || count(*) FROM synctrack.load_ledger`); got != itoa(want)+"|"+itoa(want) {
		t.Fatalf("ledger: %s (distinct loaded keys | rows), want %d|%d", got, want, want)
	}
	if got := one(t, db, `SELECT count(*) || '|' || count(DISTINCT _file) FROM synctrack.sync_runs`); got != itoa(len(c.runs))+"|"+itoa(len(c.runs)) {
		t.Fatalf("sync_runs: %s (rows | files), want %d of each", got, len(c.runs))
	}
	return n
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func itoa(n int) string { return strconv.Itoa(n) }
