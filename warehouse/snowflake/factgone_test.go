package snowflake

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// Every file of a fact table deleted from the bucket: the table is rebuilt
// from none, a new table of its own columns swapped in, so a column only
// the deleted files gave (added by schema evolution when they loaded)
// goes with their rows, as on DuckDB; PostgreSQL keeps it, empty (README).
func TestEveryFileOfAFactTableDeletedRebuildsFromItsOwnColumns(t *testing.T) {
	f := sffake.New(t)
	b := testBucket(t, 1)
	if err := b.WriteAll(context.Background(), "metadata/org1/source_objects.parquet", []byte("PAR1 placeholder"), nil); err != nil {
		t.Fatal(err)
	}
	w := openFake(t, f, "&stage=ANALYTICS.SYNCTRACK.SYNC_LOGS")
	load(t, b, w)
	if err := b.Delete(context.Background(), "metadata/org1/destinations.parquet"); err != nil {
		t.Fatal(err)
	}
	f.Reset()
	if rep := load(t, b, w); !slices.Equal(rep.DeletedFacts, []string{"metadata/org1/destinations.parquet"}) {
		t.Fatalf("deleted facts %v", rep.DeletedFacts)
	}
	var create, swap int
	for _, s := range f.Statements() {
		switch {
		case strings.HasPrefix(s, "CREATE OR REPLACE TABLE") && strings.Contains(s, "DESTINATIONS__SYNCTRACK_NEW"):
			create++
			cols := s[strings.Index(s, "(")+1 : strings.LastIndex(s, ")")]
			if got := strings.Join(strings.Fields(cols), " "); got != `"ID" VARCHAR, "TYPE" VARCHAR, "NAME" VARCHAR, "ORG_ID" VARCHAR, "_FILE" VARCHAR, "_LOADED_AT" TIMESTAMP_TZ` {
				t.Errorf("the rebuild's new table has columns %s, want the table's own alone", got)
			}
		case strings.HasPrefix(s, "COPY INTO") && strings.Contains(s, "DESTINATIONS"):
			t.Errorf("a rebuild from no file copies: %s", s)
		case strings.Contains(s, "SWAP WITH") && strings.Contains(s, "DESTINATIONS__SYNCTRACK_NEW"):
			swap++
		}
	}
	if create != 1 || swap != 1 {
		t.Errorf("%d new tables, %d swaps, want one of each:\n%s", create, swap, strings.Join(f.Statements(), ";\n"))
	}
}
