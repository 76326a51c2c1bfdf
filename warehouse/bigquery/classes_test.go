package bigquery

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// loadStopped loads the bucket through the loader and checks that it
// stopped with an error of class want, blaming no file and writing no
// ledger row.
func loadStopped(t *testing.T, f *bqFake, c *countedBucket, w warehouse.Warehouse, want warehouse.Class) error {
	t.Helper()
	rep, err := loader.New(c.b, "", w, loader.Options{Now: fixedNow}).Load(context.Background())
	if err == nil {
		t.Fatalf("load went through: %+v", rep)
	}
	if got := warehouse.ClassOf(err); got != want {
		t.Errorf("class %s, want %s: %v", got, want, err)
	}
	if rep == nil || len(rep.Failed) != 0 || rep.Files != 0 {
		t.Errorf("report %+v: files were blamed or loaded", rep)
	}
	if ledger := f.ledgerWrites(); len(ledger) != 0 {
		t.Errorf("ledger rows written: %v", ledger)
	}
	return err
}

// A quota, a permission, a missing dataset or an outage is no file's fault:
// wherever BigQuery answers with one (a call or a job; a dry run, a staging
// job, a script, one file's load job), the load stops with that class, so
// the daemon backs off by it, nothing is marked failed and no ledger row is
// written. Faults the client retries (5xx, rate limits) stop when the job's
// timeout ends it.
func TestServiceErrorsStopTheLoad(t *testing.T) {
	uri := "gs://" + fakeBucket + "/sync_tracking_datasets/1001/52275/r1/records_added.2.parquet"
	for _, tc := range []struct {
		name  string
		path  string
		match func(call) bool
		fault Fault
		class warehouse.Class
	}{
		{"quota, dry run", PathQuery, kind("dryrun"), quotaExceeded, warehouse.Resource},
		{"rate limit, dry run", PathQuery, kind("dryrun"), rateLimited, warehouse.Resource},
		{"permission, dry run", PathQuery, kind("dryrun"), accessDenied, warehouse.Config},
		{"dataset not found, staging job", PathQuery, kind("query"), notFound, warehouse.Config},
		{"permission, script", PathQuery, kind("script"), accessDenied, warehouse.Config},
		{"quota, script's job", PathQuery, kind("script"), Fault{Reason: quotaExceeded.Reason, Message: quotaExceeded.Message}, warehouse.Resource},
		{"backend error, script", PathQuery, kind("script"), unavailable, warehouse.Transient},
		{"quota, one load job", PathLoad, loadOf(uri), Fault{Reason: quotaExceeded.Reason, Message: quotaExceeded.Message}, warehouse.Resource},
		{"permission, one load job", PathLoad, loadOf(uri),
			Fault{Reason: "accessDenied", Message: "Access Denied: File " + uri + ": Access Denied"}, warehouse.Config},
		{"backend error, one load job", PathLoad, loadOf(uri), jobBackendError, warehouse.Transient},
		{"backend error, load job calls", PathLoad, kind("load"), unavailable, warehouse.Transient},
		{"not found, staging table", PathLoad, kind("query"), notFound, warehouse.Config},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newBQFake(t)
			c := newCountedBucket(t)
			f.schema = serverSchema(c)
			writeRecords(t, c, "r1", 0, 4, gen.Shape{})
			w := openFakeWith(t, f, c, Config{Path: tc.path, JobTimeout: 2 * time.Second})
			f.failWhen(tc.match, tc.fault)
			err := loadStopped(t, f, c, w, tc.class)
			if !strings.Contains(err.Error(), tc.fault.Message) {
				t.Errorf("the error does not say what BigQuery said (%q): %v", tc.fault.Message, err)
			}
		})
	}
}

// Issue 11, item 8, on the wire: a service that answers every schema dry
// run over temporary definitions as the BigQuery emulator does ("Table not
// found: _st_file_0", test/bigquery proves it there) refuses path (a)'s step,
// not the files. The load stops with a config error saying to use
// path=load, after one dry run, blaming none; path=load then loads them all.
func TestRefusedDryRunBlamesNoFile(t *testing.T) {
	f := newBQFake(t)
	c := newCountedBucket(t)
	f.schema = serverSchema(c)
	keys := writeRecords(t, c, "r1", 0, 17, gen.Shape{})
	w := openFake(t, f, c, "loaded")
	f.failWhen(kind("dryrun"), refusedProbe)
	err := loadStopped(t, f, c, w, warehouse.Config)
	if !strings.Contains(err.Error(), "path=load") || strings.Contains(err.Error(), keys[0]) {
		t.Errorf("error %v: want it to say path=load and name no file", err)
	}
	if st := w.Stats(); st.DryRuns != 1 || st.Queries != 2 {
		t.Errorf("stats %+v: want one dry run and the ledger's two reads (runs and facts prefixes), nothing spent finding a file to blame", st)
	}

	b := openFakeWith(t, f, c, Config{Path: PathLoad})
	rep, err := loader.New(c.b, "", b, loader.Options{Now: fixedNow}).Load(context.Background())
	if err != nil || len(rep.Failed) != 0 || rep.Files != len(keys) {
		t.Fatalf("path=load: %v, %+v; want all %d files loaded", err, rep, len(keys))
	}
}

// On path (b) every file's load job refused alike, with an error no rule
// knows, is a refused step too: nothing is blamed. One file's job refused
// so is that file's failure.
func TestRefusedLoadJobsBlameNoFile(t *testing.T) {
	odd := Fault{Reason: "invalid", Message: "Unsupported load option for this source"}
	f := newBQFake(t)
	c := newCountedBucket(t)
	f.schema = serverSchema(c)
	keys := writeRecords(t, c, "r1", 0, 3, gen.Shape{})
	w := openFakeWith(t, f, c, Config{Path: PathLoad})
	f.failWhen(kind("load"), odd)
	if r, _ := warehouse.Explain(loadStopped(t, f, c, w, warehouse.Config)); r != reasonRefused {
		t.Errorf("reason %q, want %s", r, reasonRefused)
	}

	f = newBQFake(t)
	f.schema = serverSchema(c)
	w = openFakeWith(t, f, c, Config{Path: PathLoad})
	f.failWhen(loadOf("gs://"+fakeBucket+"/"+keys[1]), odd)
	res, err := w.LoadRecords(context.Background(), files(t, c, "sync_tracking_datasets/"))
	if err != nil || len(res.Failed) != 1 || res.Failed[0].Key != keys[1] || warehouse.ClassOf(res.Failed[0].Err) != warehouse.Data {
		t.Fatalf("one load job refused: %v, %+v; want %s alone, a data error", err, res.Failed, keys[1])
	}
}
