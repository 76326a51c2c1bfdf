package snowflake

import (
	"context"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// A typed view Snowflake refuses for one sync (a privilege on that view
// taken away) stops no other: the load succeeds, names the sync with a
// config error, and the next sync's view is still created.
func TestWireOneSyncsViewFailsAlone(t *testing.T) {
	f := sffake.New(t)
	b := testBucket(t, 1)
	meta := `{"org_id":"org1","sync_configuration_id":"60001","sync_run_id":"r1","started_at":"2025-11-19T10:00:00Z",
"record_payload_schema":{"name":"string"}}`
	if err := b.WriteAll(context.Background(), "sync_tracking_datasets/org1/60001/r1/metadata.json", []byte(meta), nil); err != nil {
		t.Fatal(err)
	}
	w := openFake(t, f, "")
	f.Fail(sffake.Rule{Match: `VIEW "SYNCTRACK"."SYNC_RECORDS_52275"`, Times: -1, Code: "003001", SQLState: "42501",
		Message: "SQL access control error: Insufficient privileges to operate on view 'SYNC_RECORDS_52275'"})
	rep := load(t, b, w)
	if got := rep.ViewErrors.Syncs(); len(got) != 1 || got[0] != "52275" {
		t.Fatalf("view errors for %v, want 52275 alone (%v)", got, rep.ViewErrors)
	}
	if c := warehouse.ClassOf(rep.ViewErrors); c != warehouse.Config {
		t.Errorf("class %v, want config (%v)", c, rep.ViewErrors)
	}
	failedAt, otherAt := -1, -1
	for i, s := range f.Statements() {
		switch {
		case strings.Contains(s, `VIEW "SYNCTRACK"."SYNC_RECORDS_52275"`):
			failedAt = i
		case strings.Contains(s, `VIEW "SYNCTRACK"."SYNC_RECORDS_60001"`):
			otherAt = i
		}
	}
	if failedAt < 0 || otherAt < failedAt {
		t.Errorf("the view of 60001 (statement %d) must be created after 52275's failed (statement %d)", otherAt, failedAt)
	}
}
