package snowflake

import (
	"context"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// TestWireFailureRolledBackAndRetried: a lock timeout on the first COPY rolls
// the batch back and stops the load, blaming no file (it is transient: the
// daemon backs off, cron runs again); the next load copies and records every
// file exactly once, none by the rolled-back attempt.
func TestWireFailureRolledBackAndRetried(t *testing.T) {
	f := sffake.New(t)
	b := testBucket(t, 3)
	w := openFake(t, f, "")
	f.Fail(sffake.Rule{Match: "COPY INTO \"SYNCTRACK\".\"SYNC_RECORDS\"", Times: 1, Code: "000625", SQLState: "57014",
		Message: "Statement reached its statement or warehouse timeout of 0 second(s) and was canceled (lock wait)."})
	first, err := loader.New(b, "", w, loader.Options{Now: clock}).Load(context.Background())
	if warehouse.ClassOf(err) != warehouse.Transient || first == nil || len(first.Failed) != 0 {
		t.Fatalf("load during a lock timeout: %v, report %+v; want a transient error and no failed object", err, first)
	}
	if f.LedgerFor("sync_tracking_datasets/org1/52275/run2/records_added.1.parquet") != nil || f.LedgerFor("sync_tracking_datasets/org1/52275/run1/records_updated.parquet") != nil {
		t.Fatal("a file of the rolled-back batch has a ledger row")
	}
	rep := load(t, b, w)
	if len(rep.Failed) != 0 {
		t.Fatalf("failed: %+v", rep.Failed)
	}
	stmts := f.Statements()
	if count(stmts, "ROLLBACK") != 1 {
		t.Errorf("want one ROLLBACK, statements:\n%s", strings.Join(stmts, "\n---\n"))
	}
	for key, n := range f.Copied() {
		if n != 1 {
			t.Errorf("%s copied %d times in committed transactions, want 1", key, n)
		}
	}
	if len(f.Copied()) != 5 {
		t.Errorf("copied %d files, want 5 (4 records, 1 fact)", len(f.Copied()))
	}
	for _, s := range stmts {
		if strings.HasPrefix(s, "COPY") && strings.Contains(s, "FORCE") && strings.Contains(s, "sync_records") {
			t.Errorf("a fresh file was forced after a rollback:\n%s", s)
		}
	}
}

// TestWireBadFileRecordedThenForced: a file COPY always rejects is a failed
// ledger row while the rest load; once readable, the next cycle copies just
// that file, with FORCE (the ledger has seen it), and a third copies nothing.
func TestWireBadFileRecordedThenForced(t *testing.T) {
	f := sffake.New(t)
	b := testBucket(t, 2)
	w := openFake(t, f, "")
	bad := "sync_tracking_datasets/org1/52275/run2/records_added.1.parquet"
	f.Unreadable(bad, "Error parsing the parquet file: Invalid: Parquet magic bytes not found in footer.")
	rep := load(t, b, w)
	if len(rep.Failed) != 1 || rep.Failed[0].Key != bad {
		t.Fatalf("failed: %+v", rep.Failed)
	}
	if warehouse.ClassOf(rep.Failed[0].Err) != warehouse.Data {
		t.Errorf("error %v: want a data error", rep.Failed[0].Err)
	}
	if r := f.LedgerFor(bad); r == nil || r[4] != "failed" || !strings.Contains(r[6], "parquet") {
		t.Fatalf("ledger row %q, want failed with the reason", r)
	}

	f.Readable(bad)
	f.Reset()
	rep = load(t, b, w)
	var copies []string
	for _, s := range f.Statements() {
		if strings.HasPrefix(s, "COPY") {
			copies = append(copies, s)
		}
	}
	if len(rep.Failed) != 0 || len(copies) != 1 || !strings.Contains(copies[0], bad) ||
		!strings.HasSuffix(copies[0], "FORCE = TRUE") || strings.Count(copies[0], ".parquet'") != 1 {
		t.Fatalf("retry cycle: report %+v, COPY statements:\n%s", rep, strings.Join(copies, "\n---\n"))
	}
	if r := f.LedgerFor(bad); r[4] != "loaded" || r[7] != "2" {
		t.Errorf("ledger row after retry %q, want loaded on attempt 2", r)
	}

	f.Reset()
	load(t, b, w)
	if n := count(f.Statements(), "COPY"); n != 0 {
		t.Errorf("third cycle issued %d COPY statements, want 0", n)
	}
}

// TestWireExternalCycle: external mode refreshes each new run folder and
// copies no records; a second cycle refreshes nothing.
func TestWireExternalCycle(t *testing.T) {
	f := sffake.New(t)
	b := testBucket(t, 2)
	w := openFake(t, f, "&stage=SYNC_LOGS")
	w.UseExternalTables()
	rep := load(t, b, w)
	if len(rep.Failed) != 0 {
		t.Fatalf("failed: %+v", rep.Failed)
	}
	stmts := f.Statements()
	golden(t, "cycle_external.sql", stmts)
	if n := count(stmts, "ALTER EXTERNAL TABLE"); n != 2 {
		t.Errorf("%d refreshes, want 2 (one per run folder)", n)
	}
	if n := count(stmts, `COPY INTO "SYNCTRACK"."SYNC_RECORDS"`); n != 0 {
		t.Errorf("external mode copied records %d times", n)
	}
	f.Reset()
	load(t, b, w)
	if n := count(f.Statements(), "ALTER EXTERNAL TABLE"); n != 0 {
		t.Errorf("second cycle refreshed %d folders, want 0", n)
	}
}
