package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// countsAgree counts the files whose counts do not sum to their rows (or,
// for the fingerprint counts, to their rows that are not a success).
const countsAgree = `SELECT count(*) FROM (
  SELECT _file, count(*) AS n, count(*) FILTER (WHERE lower(status) IS DISTINCT FROM 'succeeded') AS failed
  FROM synctrack_schema.sync_records GROUP BY _file) r
FULL JOIN (SELECT _file, sum(records) AS n FROM synctrack_schema.run_outcome_counts GROUP BY _file) o USING (_file)
FULL JOIN (SELECT _file, sum(records) AS n FROM synctrack_schema.run_fingerprint_counts GROUP BY _file) f USING (_file)
WHERE r.n IS DISTINCT FROM o.n OR coalesce(f.n, 0) <> coalesce(r.failed, 0)`

func execPG(t *testing.T, w warehouse.Warehouse, q string) {
	t.Helper()
	q = strings.ReplaceAll(q, "synctrack_schema", w.Dialect().Ident(w.Schema()))
	if _, err := w.(*postgres.Warehouse).Pool().Exec(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func one(t *testing.T, w warehouse.Warehouse, q string, args ...any) string {
	t.Helper()
	rs := rowsOf(t, w, q, args...)
	if len(rs) != 1 {
		t.Fatalf("%s: %d rows", q, len(rs))
	}
	return rs[0]
}

// A schema made before the counts tables gets them, filled from
// sync_records, when a load opens it; opening it again changes nothing; a
// fill that never committed is done on the next open. A failed counts
// statement keeps none of its batch's rows.
func TestCountsBackfillAndRollback(t *testing.T) {
	url, dir := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 2, 2, 50
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, url), o); err != nil {
		t.Fatal(err)
	}
	pg := pgtest.URL(t)
	w := open(t, pg, warehouse.Options{})
	if _, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := one(t, w, `SELECT count(*) FROM synctrack_schema.run_outcome_counts`)
	wantFP := one(t, w, `SELECT count(*) FROM synctrack_schema.run_fingerprint_counts`)
	if want == "0" || wantFP == "0" {
		t.Fatalf("premise: a load wrote %s outcome and %s fingerprint counts", want, wantFP)
	}
	// The schema an earlier version made (the views over the counts go too).
	execPG(t, w, `DROP TABLE synctrack_schema.run_outcome_counts, synctrack_schema.run_fingerprint_counts CASCADE`)
	for i, prep := range []string{"", "DELETE FROM synctrack_schema.run_outcome_counts", ""} {
		if prep != "" {
			execPG(t, w, prep)
		}
		w.Close() // the load before ends, and its load lock with it
		w = open(t, pg, warehouse.Options{})
		if n := one(t, w, `SELECT count(*) FROM synctrack_schema.run_outcome_counts`); n != want {
			t.Errorf("open %d: %s outcome counts, want %s", i, n, want)
		}
		if n := one(t, w, `SELECT count(*) FROM synctrack_schema.run_fingerprint_counts`); n != wantFP {
			t.Errorf("open %d: %s fingerprint counts, want %s", i, n, wantFP)
		}
		if n := one(t, w, countsAgree); n != "0" {
			t.Errorf("open %d: %s files whose counts disagree with their rows", i, n)
		}
	}

	// Rollback: a counts table the INSERT cannot write fails the batch whole.
	execPG(t, w, `ALTER TABLE synctrack_schema.run_fingerprint_counts DROP COLUMN status_message`)
	first := firstRecordsKey(t, w)
	late := first[:strings.LastIndex(first, "/")+1] + "records_updated.99.parquet"
	data, err := testbucket.Open(t, url).ReadAll(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	if err := testbucket.Open(t, url).WriteAll(context.Background(), late, data, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background()); err == nil {
		t.Fatal("load succeeded with an unwritable counts table")
	}
	if rs := rowsOf(t, w, `SELECT count(*) FROM synctrack_schema.sync_records WHERE _file = $1`, late); rs[0] != "0" {
		t.Errorf("%s rows of %s kept though its counts failed", rs[0], late)
	}
	if rs := rowsOf(t, w, `SELECT count(*) FROM synctrack_schema.load_ledger WHERE key = $1 AND status = 'loaded'`, late); rs[0] != "0" {
		t.Errorf("%s marked loaded though its counts failed", late)
	}
}

func firstRecordsKey(t *testing.T, w warehouse.Warehouse) string {
	t.Helper()
	return one(t, w, `SELECT min(_file) FROM synctrack_schema.sync_records`)
}
