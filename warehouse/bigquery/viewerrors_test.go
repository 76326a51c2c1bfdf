package bigquery

import (
	"context"
	"errors"
	"testing"

	bqv2 "google.golang.org/api/bigquery/v2"

	"github.com/synctrack/synctrack/warehouse"
)

// A typed view BigQuery refuses for one sync (no permission on that view)
// stops no other sync's: the refresh puts the next view and names the
// failed sync with a config error.
func TestOneSyncsViewFailsAlone(t *testing.T) {
	f := newBQFake(t)
	c := newCountedBucket(t)
	w := openFake(t, f, c, "")
	f.failWhen(func(c call) bool { return c.Kind == "table" && c.SQL == "POST sync_records_52275" },
		Fault{Code: 403, Reason: "accessDenied", Message: "Access Denied: Table p:synctrack.sync_records_52275: " +
			"Permission bigquery.tables.create denied on table p:synctrack.sync_records_52275"})
	err := w.RefreshViews(context.Background(), []string{"60001", "52275", "70002"})
	var own warehouse.ViewErrors
	if !errors.As(err, &own) {
		t.Fatalf("refresh: %v, want the one sync's view error", err)
	}
	if got := own.Syncs(); len(got) != 1 || got[0] != "52275" {
		t.Fatalf("failed syncs %v, want 52275 alone", got)
	}
	if cl := warehouse.ClassOf(own); cl != warehouse.Config {
		t.Errorf("class %v, want config: %v", cl, own)
	}
	for _, v := range []string{"sync_records_60001", "sync_records_70002"} {
		if f.tables[v] == nil || f.tables[v].View == nil {
			t.Errorf("view %s not put beside the failed one", v)
		}
	}
}

// Another writer changing a view between putView's read and its write (the
// update's ETag stale: 412) or making it first (409) loses no refresh: the
// view is read again and written.
func TestViewWriteRaceIsTriedAgain(t *testing.T) {
	f := newBQFake(t)
	w := openFake(t, f, newCountedBucket(t), "")
	ctx := context.Background()
	if err := w.putView(ctx, "sync_records_1", "CREATE OR REPLACE VIEW v AS\nSELECT 1 AS a"); err != nil {
		t.Fatal(err)
	}
	f.failTimes(func(c call) bool { return c.Kind == "table" && c.SQL == "PATCH sync_records_1" },
		Fault{Code: 412, Reason: "conditionNotMet", Message: "Precondition check failed."}, 1)
	if err := w.putView(ctx, "sync_records_1", "CREATE OR REPLACE VIEW v AS\nSELECT 2 AS a"); err != nil {
		t.Fatalf("a stale ETag once: %v", err)
	}
	if q := f.tables["sync_records_1"].View.Query; q != "SELECT 2 AS a" {
		t.Errorf("the view's query %q after the retry, want SELECT 2 AS a", q)
	}
	// Another writer makes the view between the read and the create (the
	// matcher runs under the fake's lock: it makes the table as it answers).
	f.failTimes(func(c call) bool {
		if c.Kind != "table" || c.SQL != "POST sync_records_2" {
			return false
		}
		if f.tables["sync_records_2"] == nil {
			f.tables["sync_records_2"] = &bqv2.Table{Etag: "e1", Type: "VIEW", View: &bqv2.ViewDefinition{Query: "SELECT 0 AS a"},
				TableReference: &bqv2.TableReference{TableId: "sync_records_2"}}
		}
		return true
	}, Fault{Code: 409, Reason: "duplicate", Message: "Already Exists: Table p:synctrack.sync_records_2"}, 1)
	if err := w.putView(ctx, "sync_records_2", "CREATE OR REPLACE VIEW v AS\nSELECT 3 AS a"); err != nil {
		t.Fatalf("a view made meanwhile: %v", err)
	}
	if q := f.tables["sync_records_2"].View.Query; q != "SELECT 3 AS a" {
		t.Errorf("the view made meanwhile reads %q after the retry, want SELECT 3 AS a", q)
	}
	// One that keeps changing under it is a transient error, for the next load.
	f.failWhen(func(c call) bool { return c.Kind == "table" && c.SQL == "PATCH sync_records_1" },
		Fault{Code: 412, Reason: "conditionNotMet", Message: "Precondition check failed."})
	err := w.putView(ctx, "sync_records_1", "CREATE OR REPLACE VIEW v AS\nSELECT 4 AS a")
	if reason, _ := warehouse.Explain(err); warehouse.ClassOf(err) != warehouse.Transient || reason != "changed" {
		t.Errorf("a view changed under every try: %v, want transient, changed", err)
	}
}

// A permission refused on every view (the service account may not create
// tables in the dataset) names each its own view on BigQuery, yet is one
// shared cause: Shared sees it, so the load fails once with it instead of
// naming every sync. Refusals that differ beyond the view's name do not.
func TestViewsRefusedAlikeAreShared(t *testing.T) {
	refused := func(view string) Fault {
		return Fault{Code: 403, Reason: "accessDenied", Message: "Access Denied: Table p:synctrack." + view + ": " +
			"Permission bigquery.tables.create denied on table p:synctrack." + view}
	}
	for _, tc := range []struct {
		name   string
		faults map[string]Fault
		shared bool
	}{
		{"each refused on its own view", map[string]Fault{"sync_records_52275": refused("sync_records_52275"),
			"sync_records_sync_a2ae_38f31c4f": refused("sync_records_sync_a2ae_38f31c4f")}, true},
		{"one refused on the dataset", map[string]Fault{"sync_records_52275": refused("sync_records_52275"),
			"sync_records_sync_a2ae_38f31c4f": {Code: 403, Reason: "accessDenied", Message: "Access Denied: Dataset p:synctrack: Permission bigquery.tables.create denied"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newBQFake(t)
			w := openFake(t, f, newCountedBucket(t), "")
			for view, ft := range tc.faults {
				f.failWhen(func(c call) bool { return c.Kind == "table" && c.SQL == "POST "+view }, ft)
			}
			syncs := []string{"52275", "sync-a2ae"}
			err := w.RefreshViews(context.Background(), syncs)
			var own warehouse.ViewErrors
			if !errors.As(err, &own) || len(own) != 2 {
				t.Fatalf("refresh: %v, want both syncs' view errors", err)
			}
			if got := own.Shared(len(syncs)) != nil; got != tc.shared {
				t.Fatalf("shared %v, want %v: %v", got, tc.shared, own)
			}
		})
	}
}
