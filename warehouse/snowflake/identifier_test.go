package snowflake

import (
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// A records file without an identifier column (COPY, matching columns by
// name, loads its rows with identifier NULL) fails alone as a data error,
// with no rows and no ledger row; the batch runs again without it and the
// rest load once, as on DuckDB and BigQuery.
func TestNoIdentifierFailsAlone(t *testing.T) {
	f := sffake.New(t)
	b, keys := runBucket(t, 5)
	bad := keys[2]
	f.Answer(`HAVING COUNT("IDENTIFIER") = 0`, []sffake.Column{{Name: "_FILE", Type: "text"}}, [][]any{{bad}})
	w := openFake(t, f, "")
	rep := load(t, b, w)
	if len(rep.Failed) != 1 || rep.Failed[0].Key != bad || warehouse.ClassOf(rep.Failed[0].Err) != warehouse.Data ||
		!strings.Contains(rep.Failed[0].Err.Error(), "no identifier column") {
		t.Fatalf("failed: %+v, want %s alone, naming the missing column", rep.Failed, bad)
	}
	recs := f.FileRows("SYNC_RECORDS")
	for _, k := range keys {
		if want := map[bool]int64{true: 0, false: 10}[k == bad]; recs[k] != want {
			t.Errorf("%s has %d rows, want %d", k, recs[k], want)
		}
		if r := f.LedgerFor(k); (k == bad) != (r == nil || r[4] == "failed") {
			t.Errorf("%s ledger row %q", k, r)
		}
	}
	if n := count(f.Statements(), "ROLLBACK"); n != 1 {
		t.Errorf("%d rollbacks, want 1 (the batch runs again without the file)", n)
	}
}
