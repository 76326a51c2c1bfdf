package bigquery_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	bq "github.com/synctrack/synctrack/warehouse/bigquery"
)

// openURL opens the env's dataset as a warehouse URL says (path=, mode=).
func (e *env) openURL(t *testing.T, raw string) *bq.Warehouse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e.precreate(t, ctx)
	c, err := bq.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	c.Bucket, c.BucketURL, c.JobTimeout = e.bucket, e.bucketURL, time.Minute
	w, err := bq.Open(ctx, c, time.Now)
	if err != nil {
		t.Fatalf("open %s: %v", raw, err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// Issue 11, item 8: the emulator answers path (a)'s schema dry runs with
// "Table not found: _st_file_0" whatever the files hold. That refuses the
// step, not the files: the load stops with a config error saying to use
// path=load, blames no file and writes no failed ledger row; path=load then
// loads every object.
func TestPathARefusedStepBlamesNoFile(t *testing.T) {
	e := newEnv(t)
	e.generate(t, smallOptions())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	w := e.openURL(t, "bigquery://"+project+"/synctrack?path=query")
	if w.Path() != bq.PathQuery {
		t.Fatalf("path %s, want query", w.Path())
	}
	rep, err := loader.New(e.bucket, "", w, loader.Options{}).Load(ctx)
	if err == nil {
		t.Fatal("path (a) on the emulator loaded; the test no longer proves a refused step")
	}
	t.Logf("path (a) on the emulator: %v", err)
	if c := warehouse.ClassOf(err); c != warehouse.Config || !strings.Contains(err.Error(), "path=load") ||
		strings.Contains(err.Error(), "sync_tracking_datasets/") {
		t.Errorf("error of class %s: %v; want config, naming path=load and no file", c, err)
	}
	if rep == nil || len(rep.Failed) != 0 {
		t.Fatalf("report %+v: files were blamed for a refused step", rep)
	}
	if got := bqRows(t, w, "SELECT status, COUNT(*) FROM synctrack.load_ledger GROUP BY 1"); strings.Contains(strings.Join(got, ","), "failed") {
		t.Errorf("ledger after a refused step: %v; want no failed row", got)
	}

	ref := e.duck(t)
	all := loadBQ(t, e, e.openURL(t, "bigquery://"+project+"/synctrack?path=load"))
	t.Logf("path=load after the refusal: %+v", all)
	same(t, "ledger after path=load", bqRows(t, w, "SELECT key, status FROM synctrack.load_ledger"),
		duckRows(t, ref, "SELECT key, status FROM synctrack.load_ledger"))
}
