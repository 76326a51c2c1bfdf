package bigquery_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/loader"
)

// A loaded fact file deleted from the bucket takes its rows out of its
// table on the emulator too, the ledger row marked deleted in the rebuild's
// script; the last one deleted leaves the table empty.
func TestFactRowsOfADeletedFileLeave(t *testing.T) {
	e := newEnv(t)
	o := smallOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun = 2, 1, 1, 1
	e.generate(t, o)
	w := e.open(t)
	loadBQ(t, e, w)
	orgs := bqRows(t, w, "SELECT DISTINCT org_id FROM synctrack.destinations")
	if len(orgs) != 2 {
		t.Fatalf("premise: destinations of orgs %v, want two", orgs)
	}
	ctx := context.Background()
	for i, org := range orgs {
		key := loader.FactsPrefix + org + "/destinations.parquet"
		if err := e.bucket.Delete(ctx, key); err != nil {
			t.Fatalf("delete %s: %v", key, err)
		}
		rep := loadBQ(t, e, w)
		if !slices.Equal(rep.DeletedFacts, []string{key}) {
			t.Errorf("deleted facts %v, want %s", rep.DeletedFacts, key)
		}
		if got, want := bqRows(t, w, "SELECT DISTINCT org_id FROM synctrack.destinations"), orgs[i+1:]; !slices.Equal(got, want) {
			t.Errorf("after deleting %s: destinations of orgs %v, want %v", key, got, want)
		}
		if got := bqRows(t, w, "SELECT status FROM synctrack.load_ledger WHERE key = '"+strings.ReplaceAll(key, "'", "")+"'"); !slices.Equal(got, []string{"deleted"}) {
			t.Errorf("ledger of %s: %v, want deleted", key, got)
		}
	}
	if got := bqRows(t, w, "SELECT COUNT(*) FROM synctrack.source_objects"); slices.Equal(got, []string{"0"}) {
		t.Error("source_objects emptied with destinations")
	}
}
