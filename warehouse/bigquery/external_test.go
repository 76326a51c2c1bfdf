package bigquery

import (
	"context"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// External mode writes ledger rows only, each with the row count BigQuery
// reads from the external table by _FILE_NAME. A file that count cannot read
// fails the script; that file is never written as loaded (not even with 0
// rows): it comes back in Loaded.Failed with BigQuery's cause, and the
// others' rows are counted again without it, in the same call.
func TestExternalModeUnreadableFile(t *testing.T) {
	f := newBQFake(t)
	c := newCountedBucket(t)
	f.schema = serverSchema(c)
	keys := writeRecords(t, c, "r1", 0, 4, gen.Shape{})
	bad := keys[2]
	w := openFake(t, f, c, "external")
	f.failWhen(scriptOf(bad), readError("gs://"+fakeBucket+"/"+bad))
	res, err := w.LoadRecords(context.Background(), files(t, c, "sync_tracking_datasets/"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failed) != 1 || res.Failed[0].Key != bad || warehouse.ClassOf(res.Failed[0].Err) != warehouse.Data ||
		!strings.Contains(res.Failed[0].Err.Error(), "Error while reading data") {
		t.Fatalf("failed %+v; want %s alone, a data error with BigQuery's cause", res.Failed, bad)
	}
	ledger := f.ledgerWrites()
	for _, k := range keys {
		if want := map[bool]string{true: "", false: "loaded"}[k == bad]; ledger[k] != want {
			t.Errorf("ledger row of %s: %q, want %q", k, ledger[k], want)
		}
	}
	if n := len(f.scripts()); n != 2 {
		t.Errorf("%d scripts, want 2: the one that failed, then the others' counts", n)
	}
}

// When BigQuery's error names no file, the loader narrows it down: the file
// still ends failed, alone, and never as a loaded ledger row.
func TestExternalModeUnreadableFileUnnamed(t *testing.T) {
	f := newBQFake(t)
	c := newCountedBucket(t)
	f.schema = serverSchema(c)
	keys := writeRecords(t, c, "r1", 0, 4, gen.Shape{})
	bad := keys[1]
	w := &counting{Warehouse: openFake(t, f, c, "external")}
	f.failWhen(scriptOf(bad), Fault{Reason: "invalid",
		Message: "Error while reading table: synctrack.sync_records_external, error message: Invalid Parquet file"})
	rep, err := loader.New(c.b, "", w, loader.Options{Now: fixedNow}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d LoadRecords calls", w.calls)
	if len(rep.Failed) != 1 || rep.Failed[0].Key != bad || rep.Files != 3 {
		t.Fatalf("report %+v; want %s alone failed, 3 loaded", rep, bad)
	}
	ledger := f.ledgerWrites()
	for _, k := range keys {
		if want := map[bool]string{true: "failed", false: "loaded"}[k == bad]; ledger[k] != want {
			t.Errorf("ledger row of %s: %q, want %q", k, ledger[k], want)
		}
	}
}
