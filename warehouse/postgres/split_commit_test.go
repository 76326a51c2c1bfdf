package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// A split batch whose second part fails at COMMIT after the first part
// committed: the load stops with a transient error (the loader does not
// narrow it, which would load the committed files again without deleting
// their rows), and the next load, planned from the ledger, loads the rest:
// every file once, its counts once. Found by review: before, the committed
// files were loaded two and three times.
func TestSplitCommitFailureLoadsOnce(t *testing.T) {
	url, dir := testbucket.Dir(t)
	started := time.Date(2026, 1, 5, 8, 1, 19, 0, time.UTC).UnixMilli()
	writeParquet(t, dir, "sync_tracking_datasets/o1/s1/r0/records_updated.0.parquet", []oddRow{{Identifier: 1, Payload: "{}", Started: started, Ended: "2026-01-05"}})
	w := open(t, pgtest.URL(t), warehouse.Options{})
	postgres.SplitEveryBatch(w.(*postgres.Warehouse))
	if _, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	execPG(t, w, `CREATE FUNCTION synctrack_schema.boom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW._file LIKE '%records_updated.3.parquet' THEN RAISE EXCEPTION 'commit refused'; END IF; RETURN NULL; END $$`)
	execPG(t, w, `CREATE CONSTRAINT TRIGGER boom AFTER INSERT ON synctrack_schema.sync_records
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION synctrack_schema.boom()`)
	for i := 0; i < 4; i++ {
		writeParquet(t, dir, fmt.Sprintf("%srecords_updated.%d.parquet", runDir, i),
			[]oddRow{{Identifier: int64(100 + i), Payload: "{}", Started: started, Ended: "2026-01-05"}})
	}
	_, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
	if warehouse.ClassOf(err) != warehouse.Transient {
		t.Fatalf("load with a part refused at commit: %v (class %v), want a transient error", err, warehouse.ClassOf(err))
	}
	execPG(t, w, `DROP TRIGGER boom ON synctrack_schema.sync_records`)
	if _, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background()); err != nil {
		t.Fatalf("the next load: %v", err)
	}
	if got := rowsOf(t, w, `SELECT count(DISTINCT _file), count(*) FROM synctrack_schema.sync_records WHERE _file LIKE '%/r1/%'`); len(got) != 1 || got[0] != "4|4" {
		t.Errorf("files, rows of the run after both loads: %v, want 4 files of one row each", got)
	}
	got := rowsOf(t, w, `SELECT _file, count(*) FROM synctrack_schema.sync_records GROUP BY _file HAVING count(*) > 1 ORDER BY 1`)
	if len(got) > 0 {
		t.Errorf("files loaded more than once: %v", got)
	}
	got = rowsOf(t, w, `SELECT _file, sum(records) FROM synctrack_schema.run_outcome_counts GROUP BY _file HAVING sum(records) > 1 ORDER BY 1`)
	if len(got) > 0 {
		t.Errorf("counts more than once: %v", got)
	}
}
