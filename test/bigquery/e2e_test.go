package bigquery_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/synctrack/synctrack/loader"
	bq "github.com/synctrack/synctrack/warehouse/bigquery"
)

func loadBQ(t *testing.T, e *env, w *bq.Warehouse) *loader.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rep, err := loader.New(e.bucket, "", w, loader.Options{}).Load(ctx)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	for _, f := range rep.Failed {
		t.Errorf("failed %s: %v", f.Key, f.Err)
	}
	return rep
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: DuckDB returned nothing, so the comparison proves nothing", what)
	}
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Errorf("%s: first difference at row %d:\n bigquery %s\n duckdb   %s", what, i, got[i], want[i])
				break
			}
		}
		t.Errorf("%s differ:\n bigquery %d rows: %.600v\n duckdb   %d rows: %.600v", what, len(got), got, len(want), want)
	}
}

// Path b end to end against the emulator, compared with DuckDB on the same
// bucket; then loading again adds nothing.
func TestLoadPathB(t *testing.T) {
	e := newEnv(t)
	e.generate(t, smallOptions())
	w := e.open(t)
	ref := e.duck(t)
	first := loadBQ(t, e, w)
	st := w.Stats()
	t.Logf("first load %+v: %d queries, %d load jobs, %d bytes through the daemon", first, st.Queries, st.LoadJobs, st.DaemonBytes)
	for table, n := range st.LoadsPer {
		if n != 1 {
			t.Errorf("%d load jobs into %s, want one per staging table", n, table)
		}
	}
	if st.LoadsPer["sync_records"] != 0 {
		t.Error("a load job wrote sync_records itself")
	}

	// Timestamps are left out: the emulator reads TIMESTAMP_MILLIS as micros.
	q := "SELECT _file, identifier, operation, COALESCE(status, 'NULL'), COALESCE(status_message, ''), " +
		"sync_configuration_id, sync_run_id, org_id, batch_type, COALESCE(CAST(batch_number AS STRING), '') FROM synctrack.sync_records"
	same(t, "sync_records", bqRows(t, w, q), duckRows(t, ref, q))
	q = "SELECT sync_id, sync_run_id, outcome, COUNT(*) FROM synctrack.sync_log GROUP BY 1, 2, 3"
	same(t, "sync_log outcomes", bqRows(t, w, q), duckRows(t, ref, q))
	q = "SELECT org_id, sync_configuration_id, sync_run_id, workspace_id, destination_id FROM synctrack.sync_runs"
	same(t, "sync_runs", bqRows(t, w, q), duckRows(t, ref, q))
	q = "SELECT org_id, id, name FROM synctrack.destinations"
	same(t, "destinations", bqRows(t, w, q), duckRows(t, ref, q))
	q = "SELECT sync_configuration_id, view_name, field_name, column_name, column_type FROM synctrack.payload_columns"
	same(t, "payload_columns", bqRows(t, w, q), duckRows(t, ref, q))
	same(t, "load_ledger", bqRows(t, w, "SELECT key, status, `rows` FROM synctrack.load_ledger"),
		duckRows(t, ref, "SELECT key, status, rows FROM synctrack.load_ledger"))

	before := w.Stats()
	second := loadBQ(t, e, w)
	if second.Files != 0 || second.Rows != 0 {
		t.Errorf("second load did work: %+v", second)
	}
	if after := w.Stats(); after.LoadJobs != before.LoadJobs {
		t.Errorf("second load ran %d load jobs", after.LoadJobs-before.LoadJobs)
	}
	q = "SELECT COUNT(*) FROM synctrack.sync_records"
	same(t, "rows after a second load", bqRows(t, w, q), duckRows(t, ref, q))
}
