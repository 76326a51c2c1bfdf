package snowflake

import (
	"context"
	"fmt"
	"testing"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// TestExactlyOnceLedger drives the loader through seven cycles of one
// bucket and states, by hand, after each, every version's ledger status and
// every file's rows: a new version replaces the loaded one; a version that
// cannot be read fails, then is quarantined, while the version before keeps
// its rows; retry puts it back; once readable it replaces the old one. The
// fake derives the ledger from the UPDATE and MERGE synctrack sends (sffake
// sql.go), so a wrong ledger statement fails here.
func TestExactlyOnceLedger(t *testing.T) {
	ctx := context.Background()
	f := sffake.New(t)
	b, keys := runBucket(t, 3)
	k0, k1, k2 := keys[0], keys[1], keys[2]
	w := openFake(t, f, "")
	cycle := func(name string, wantFailed int) {
		t.Helper()
		f.Reset()
		rep, err := loader.New(b, "", w, loader.Options{Now: clock, QuarantineAfter: 2}).Load(ctx)
		if err != nil || len(rep.Failed) != wantFailed {
			t.Fatalf("%s: %v, report %+v, want %d failed", name, err, rep, wantFailed)
		}
	}
	rows := func(name string, want map[string]int64) {
		t.Helper()
		if fmt.Sprint(f.FileRows("SYNC_RECORDS")) != fmt.Sprint(want) {
			t.Errorf("%s: rows per file %v, want %v", name, f.FileRows("SYNC_RECORDS"), want)
		}
	}
	e0, e1, e2 := etag(t, b, k0), etag(t, b, k1), etag(t, b, k2)

	cycle("first load", 0)
	checkLedger(t, f, map[string][]version{k0: {{e0, "loaded"}}, k1: {{e1, "loaded"}}, k2: {{e2, "loaded"}}})
	rows("first load", map[string]int64{k0: 10, k1: 10, k2: 10})

	cycle("nothing new", 0)
	if n := count(f.Statements(), "COPY"); n != 0 {
		t.Errorf("nothing new: %d COPY statements", n)
	}

	n0 := rewrite(t, b, k0, "PAR1 v2")
	f.Rows(k0, 5)
	cycle("k0 changed", 0)
	checkLedger(t, f, map[string][]version{k0: {{e0, "replaced"}, {n0, "loaded"}}, k1: {{e1, "loaded"}}})
	rows("k0 changed", map[string]int64{k0: 5, k1: 10, k2: 10})

	n1 := rewrite(t, b, k1, "PAR1 v2, truncated")
	f.Unreadable(k1, "Error parsing the parquet file: Invalid: Parquet magic bytes not found in footer.")
	cycle("k1 broken", 1)
	checkLedger(t, f, map[string][]version{k1: {{e1, "loaded"}, {n1, "failed"}}})
	cycle("k1 broken again", 1)
	checkLedger(t, f, map[string][]version{k1: {{e1, "loaded"}, {n1, "quarantined"}}})
	cycle("k1 in quarantine", 0)
	if n := count(f.Statements(), "COPY"); n != 0 {
		t.Errorf("a quarantined object was read again: %d COPY statements", n)
	}
	rows("k1 in quarantine", map[string]int64{k0: 5, k1: 10, k2: 10})

	if n, err := w.Requeue(ctx, []string{k1}); err != nil || n != 1 {
		t.Fatalf("requeue: %d, %v", n, err)
	}
	checkLedger(t, f, map[string][]version{k1: {{e1, "loaded"}, {n1, "failed"}}})
	if r := f.LedgerFor(k1); r[7] != "0" {
		t.Errorf("requeued row %q, want 0 attempts", r)
	}
	f.Readable(k1)
	f.Rows(k1, 7)
	cycle("k1 readable", 0)
	checkLedger(t, f, map[string][]version{
		k0: {{e0, "replaced"}, {n0, "loaded"}},
		k1: {{e1, "replaced"}, {n1, "loaded"}},
		k2: {{e2, "loaded"}},
	})
	rows("k1 readable", map[string]int64{k0: 5, k1: 7, k2: 10})
	for k, n := range f.Copied() {
		if want := map[string]int{k0: 2, k1: 2, k2: 1}[k]; n != want {
			t.Errorf("%s copied %d times in committed transactions, want %d", k, n, want)
		}
	}
}
