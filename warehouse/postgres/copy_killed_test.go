package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// The COPY's backend is terminated while its data is being read: the load
// fails as transient, and the next one loads the file's rows once.
// pgconn.CopyFrom returns on the server's FATAL without waiting for the
// goroutine reading the copyStream, so the source must not be closed under
// it (copyStream.finish); under -race this test caught that (found by review).
func TestCopyKilledMidStream(t *testing.T) {
	url, dir := testbucket.Dir(t)
	started := time.Date(2026, 1, 5, 8, 1, 19, 0, time.UTC).UnixMilli()
	rows := make([]oddRow, 400_000)
	for i := range rows {
		rows[i] = oddRow{Identifier: int64(i), Payload: `{"a":1,"b":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}`, Message: "m", Started: started, Ended: "2026-01-05"}
	}
	writeParquet(t, dir, "sync_tracking_datasets/o1/s1/r0/records_updated.0.parquet", rows[:1])
	w := open(t, pgtest.URL(t), warehouse.Options{})
	if _, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	writeParquet(t, dir, runDir+"records_updated.0.parquet", rows)
	pool := w.(*postgres.Warehouse).Pool()
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			var n int
			_ = pool.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'COPY %' AND pid <> pg_backend_pid()`).Scan(&n)
			if n > 0 {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	_, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
	close(stop)
	// Rarely the COPY ends before the backend can be terminated: then the
	// load succeeded and the rows below are its own.
	if err != nil {
		if c := warehouse.ClassOf(err); c != warehouse.Transient {
			t.Errorf("load whose backend was terminated: %v (class %v), want transient", err, c)
		}
		if _, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background()); err != nil {
			t.Fatalf("the next load: %v", err)
		}
	}
	if got := rowsOf(t, w, `SELECT count(*), count(DISTINCT identifier) FROM synctrack_schema.sync_records WHERE _file LIKE '%/r1/%'`); len(got) != 1 || got[0] != "400000|400000" {
		t.Errorf("rows, identifiers of the file after the next load: %v, want 400000 once each", got)
	}
}
