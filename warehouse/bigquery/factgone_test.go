package bigquery

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/warehouse"
)

// The ledger rows of a fact table's files deleted from the bucket
// (FactsKept.Deleted) go in the rebuild's own transaction: staged with the
// files' rows, or, when no file of the table is left, with none, in a
// script that empties the table (before, a rebuild from no file ran no
// script at all: a batch is made of files).
func TestFactsDeletedLedgerRowsInTheRebuild(t *testing.T) {
	f := newBQFake(t)
	c := newCountedBucket(t)
	f.schema = serverSchema(c)
	if _, err := gen.Generate(context.Background(), c.b, gen.Options{Orgs: 1, SyncsPerOrg: 1, RunsPerSync: 1,
		FilesPerRun: 1, RowsPerFile: 2, Seed: 1, Facts: true}); err != nil {
		t.Fatal(err)
	}
	w := openFake(t, f, c, "loaded")
	var facts []warehouse.File
	for _, fl := range files(t, c, "metadata/") {
		if fl.FactTable == "destinations" {
			facts = append(facts, fl)
		}
	}
	gone := "metadata/9999/destinations.gone.parquet"
	keep := warehouse.FactsKept{Deleted: []warehouse.LedgerEntry{{Key: gone, ETag: `"e"`, Kind: warehouse.KindFact,
		Status: warehouse.StatusDeleted, Error: "deleted from the bucket while loaded", Attempts: 1}}}
	staged := func() string {
		t.Helper()
		var out []string
		for _, j := range f.queryJobs() {
			if b, err := json.Marshal(j.Configuration.Query.QueryParameters); err == nil && strings.Contains(string(b), gone) {
				out = append(out, j.Configuration.Query.Query)
			}
		}
		if len(out) != 1 {
			t.Fatalf("%d jobs carry the deleted file's ledger row, want the staging job alone", len(out))
		}
		return out[0]
	}
	for _, tc := range []struct {
		name  string
		files []warehouse.File
		want  []string
	}{
		{"with files", facts, []string{"INSERT INTO `synctrack`.`destinations`"}},
		{"no file left", nil, []string{"DELETE FROM `synctrack`.`destinations` WHERE TRUE"}},
	} {
		f.reset()
		if err := w.ReplaceFacts(context.Background(), "destinations", tc.files, keep); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		table := regexp.MustCompile("_st_batch_[0-9a-f]+").FindString(staged())
		s := f.scripts()
		if len(s) != 1 {
			t.Fatalf("%s: %d scripts, want 1", tc.name, len(s))
		}
		begin, commit := strings.Index(s[0], "BEGIN TRANSACTION;"), strings.Index(s[0], "COMMIT TRANSACTION;")
		if begin < 0 || commit < begin {
			t.Fatalf("%s: no transaction:\n%s", tc.name, s[0])
		}
		ledger := strings.Index(s[0], "`synctrack`.`load_ledger`")
		if !(begin < ledger && ledger < commit) || strings.Count(s[0], "CREATE TEMP TABLE _st_seen") != 1 {
			t.Errorf("%s: the ledger is not written in the rebuild's transaction:\n%s", tc.name, s[0])
		}
		if table == "" || !strings.Contains(s[0][begin:commit], "INSERT INTO `synctrack`.`load_ledger`") ||
			!strings.Contains(s[0][begin:commit], table) {
			t.Errorf("%s: the transaction does not write the staged ledger rows (%q):\n%s", tc.name, table, s[0])
		}
		for _, want := range tc.want {
			if i := strings.Index(s[0], want); i < begin || i > commit {
				t.Errorf("%s: the transaction lacks %q:\n%s", tc.name, want, s[0])
			}
		}
	}
}
