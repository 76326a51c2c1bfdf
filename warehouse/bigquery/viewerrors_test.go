package bigquery

import (
	"context"
	"errors"
	"testing"

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
