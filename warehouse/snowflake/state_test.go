package snowflake

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

const leaseMerge = `MERGE INTO "SYNCTRACK"."DAEMON_LEASE"`

// The lease at the wire: one MERGE in a transaction, taken when it affects a
// row (the row was free, ours, or expired by this process's clock), held by
// another when it affects none, which a read of the holder then names.
func TestLeaseWire(t *testing.T) {
	ctx := context.Background()
	f := sffake.New(t)
	w := openFake(t, f, "")

	// Expired (or free): Snowflake's MERGE updates the row.
	f.Affect(leaseMerge, 1)
	ok, holder, until, err := w.AcquireLease(ctx, "load", "host-a/1/aa", 10*time.Minute)
	if err != nil || !ok || holder != "host-a/1/aa" || !until.Equal(clock().Add(10*time.Minute)) {
		t.Fatalf("acquire of an expired lease: ok=%v holder=%q until=%v err=%v", ok, holder, until, err)
	}
	golden(t, "lease_acquire.sql", f.Statements())
	merge := f.Statements()[1]
	for _, want := range []string{
		`WHEN MATCHED AND (l."HOLDER" = 'host-a/1/aa' OR l."EXPIRES_AT" < TO_TIMESTAMP_TZ('2025-11-20T08:30:00Z')) THEN UPDATE`,
		`"EXPIRES_AT" = TO_TIMESTAMP_TZ('2025-11-20T08:40:00Z')`,
		`WHEN NOT MATCHED THEN INSERT ("NAME", "HOLDER", "EXPIRES_AT", "ACQUIRED_AT")`,
	} {
		if !strings.Contains(merge, want) {
			t.Errorf("lease MERGE lacks %q:\n%s", want, merge)
		}
	}

	// Held by another and not expired: the MERGE affects nothing.
	f.Reset()
	f.Affect(leaseMerge, 0)
	held := time.Date(2025, 11, 20, 8, 35, 0, 0, time.UTC)
	f.Answer(`DATE_PART(EPOCH_MICROSECOND, "EXPIRES_AT")`, []sffake.Column{{Name: "HOLDER", Type: "text"}, {Name: "EXPIRES", Type: "fixed"}},
		[][]any{{"host-b/2/bb", fmt.Sprint(held.UnixMicro())}})
	ok, holder, until, err = w.AcquireLease(ctx, "load", "host-a/1/aa", 10*time.Minute)
	if err != nil || ok || holder != "host-b/2/bb" || !until.Equal(held) {
		t.Fatalf("acquire of a held lease: ok=%v holder=%q until=%v err=%v", ok, holder, until, err)
	}
	assertOrder(t, f.Statements(), leaseMerge, "BEGIN", leaseMerge, `SELECT "HOLDER"`, "COMMIT")

	// Release deletes only our own row.
	f.Reset()
	if err := w.ReleaseLease(ctx, "load", "host-a/1/aa"); err != nil {
		t.Fatal(err)
	}
	if s := f.Statements(); len(s) != 1 || s[0] != `DELETE FROM "SYNCTRACK"."DAEMON_LEASE" WHERE "NAME" = 'load' AND "HOLDER" = 'host-a/1/aa'` {
		t.Fatalf("release: %q", s)
	}
}

// A schema set up before the daemon had a lease table: the first MERGE fails
// as a missing object, the daemon's DDL runs (outside the transaction), and
// the MERGE runs again.
func TestLeaseOnOldSchema(t *testing.T) {
	f := sffake.New(t)
	w := openFake(t, f, "")
	f.Fail(sffake.Rule{Prefix: "MERGE INTO", Match: "DAEMON_LEASE", Code: "002003", SQLState: "42S02", Times: 1,
		Message: "SQL compilation error:\nObject 'ANALYTICS.SYNCTRACK.DAEMON_LEASE' does not exist or not authorized."})
	ok, _, _, err := w.AcquireLease(context.Background(), "load", "me", time.Minute)
	if err != nil || !ok {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	var got []string
	for _, s := range f.Statements() {
		got = append(got, firstLine(s))
	}
	want := []string{"BEGIN", leaseMerge + " l", "ROLLBACK",
		`ALTER TABLE "SYNCTRACK"."SYNC_RUNS" ADD COLUMN IF NOT EXISTS "STATE" VARCHAR DEFAULT 'open'`,
		`ALTER TABLE "SYNCTRACK"."SYNC_RUNS" ADD COLUMN IF NOT EXISTS "COMPLETED_AT" TIMESTAMP_TZ`,
		`CREATE TABLE IF NOT EXISTS "SYNCTRACK"."DAEMON_LEASE" (`,
		"BEGIN", leaseMerge + " l", "COMMIT"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("statements:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Run state at the wire: reopen and complete are one UPDATE joined with the
// runs, counted by rows affected; the quiet sweep is an UPDATE and a count.
func TestRunStateWire(t *testing.T) {
	ctx := context.Background()
	f := sffake.New(t)
	w := openFake(t, f, "")
	runs := []warehouse.RunRef{{OrgID: "org1", SyncID: "52275", RunID: "run1"}, {OrgID: "org1", SyncID: "52275", RunID: "it's"}}
	f.Affect(`SET "STATE" = 'open'`, 1)
	f.Affect(`SET "STATE" = 'complete', "COMPLETED_AT" = TO_TIMESTAMP_TZ('2025-11-20T09:00:00Z')`+"\nFROM (SELECT column1", 2)
	f.Affect(`SET "STATE" = 'complete', "COMPLETED_AT" = TO_TIMESTAMP_TZ('2025-11-20T10:00:00Z')`, 3)
	f.Answer(`SELECT COUNT(*) FROM "SYNCTRACK"."SYNC_RUNS"`, []sffake.Column{{Name: "COUNT(*)", Type: "fixed"}}, [][]any{{"4"}})

	if n, err := w.ReopenRuns(ctx, runs); err != nil || n != 1 {
		t.Fatalf("reopen: %d %v", n, err)
	}
	at := time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC)
	if n, err := w.CompleteRuns(ctx, runs, at); err != nil || n != 2 {
		t.Fatalf("complete: %d %v", n, err)
	}
	done, open, err := w.CompleteQuietRuns(ctx, at, at.Add(time.Hour))
	if err != nil || done != 3 || open != 4 {
		t.Fatalf("quiet: done=%d open=%d err=%v", done, open, err)
	}
	if n, err := w.ReopenRuns(ctx, nil); err != nil || n != 0 {
		t.Fatalf("reopen of no runs: %d %v", n, err)
	}
	golden(t, "run_state.sql", f.Statements())
}
