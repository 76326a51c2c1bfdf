package snowflake

import (
	"context"
	"testing"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

const copyRecords = `COPY INTO "SYNCTRACK"."SYNC_RECORDS"`

// TestErrorClassesStopTheLoad: a failure of the warehouse, not of a file,
// stops the load with its class intact (what the daemon's back-off and the
// exit code go by), rolls its batch back, and blames no object: no ledger
// row is marked failed and no record row is kept.
func TestErrorClassesStopTheLoad(t *testing.T) {
	for _, c := range []struct {
		name  string
		rule  sffake.Rule
		class warehouse.Class
	}{
		{"lock timeout", sffake.LockTimeout(copyRecords, -1), warehouse.Transient},
		{"HTTP 503", sffake.Unavailable(copyRecords, -1), warehouse.Transient},
		{"resource monitor", sffake.QuotaExceeded(copyRecords, -1), warehouse.Resource},
		{"login", sffake.BadLogin(-1), warehouse.Config},
		{"privileges", sffake.NoPrivilege(copyRecords, -1), warehouse.Config},
		{"missing stage", sffake.Missing(copyRecords, "ANALYTICS.SYNCTRACK.SYNCTRACK_STAGE", -1), warehouse.Config},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := sffake.New(t)
			b, keys := runBucket(t, 4)
			// One retry keeps the driver's back-off on HTTP 503 near a second.
			w := openFake(t, f, "&maxRetryCount=1")
			f.Fail(c.rule)
			rep, err := loader.New(b, "", w, loader.Options{Now: clock}).Load(context.Background())
			if got := warehouse.ClassOf(err); got != c.class {
				t.Fatalf("load: %v (class %s), want class %s", err, got, c.class)
			}
			if rep != nil && len(rep.Failed) != 0 {
				t.Errorf("objects blamed: %+v", rep.Failed)
			}
			for _, r := range f.Ledger() {
				if r[4] == warehouse.StatusFailed || r[4] == warehouse.StatusQuarantined {
					t.Errorf("ledger row %q marked failed by a %s error", r, c.class)
				}
			}
			for _, k := range keys {
				if n := f.FileRows("SYNC_RECORDS")[k]; n != 0 || f.LedgerFor(k) != nil {
					t.Errorf("%s: %d rows, ledger %q after a rolled-back batch", k, n, f.LedgerFor(k))
				}
			}
		})
	}
}

// TestDataErrorsFailOneFile: a data error is blamed on its file alone, both
// the way SKIP_FILE reports it (in COPY's result) and the way a COPY that
// aborts on it does (Snowflake documents that conversion errors abort even
// under SKIP_FILE for parquet): then the loader narrows it down, and the
// other files still load.
func TestDataErrorsFailOneFile(t *testing.T) {
	for _, aborts := range []bool{false, true} {
		f := sffake.New(t)
		b, keys := runBucket(t, 4)
		w := openFake(t, f, "")
		bad := keys[2]
		if aborts {
			r := sffake.ParquetError(bad, -1)
			r.Prefix = "COPY"
			f.Fail(r)
		} else {
			f.Unreadable(bad, "Error parsing the parquet file: Invalid: Parquet magic bytes not found in footer.")
		}
		rep := load(t, b, w)
		if len(rep.Failed) != 1 || rep.Failed[0].Key != bad || warehouse.ClassOf(rep.Failed[0].Err) != warehouse.Data {
			t.Fatalf("aborts=%v: failed %+v, want %s alone as a data error", aborts, rep.Failed, bad)
		}
		if r := f.LedgerFor(bad); r == nil || r[4] != warehouse.StatusFailed {
			t.Errorf("aborts=%v: ledger row of the bad file %q, want failed", aborts, r)
		}
		for _, k := range keys {
			if k != bad && (f.FileRows("SYNC_RECORDS")[k] != 10 || f.LedgerFor(k)[4] != warehouse.StatusLoaded) {
				t.Errorf("aborts=%v: %s has %d rows, ledger %q; want loaded", aborts, k, f.FileRows("SYNC_RECORDS")[k], f.LedgerFor(k))
			}
		}
		t.Logf("aborts=%v: %d COPY statements for 4 files, one bad", aborts, count(f.Statements(), copyRecords))
	}
}

// TestCommittedDuringCopy: should a COPY that evolves the table's schema
// commit the batch's transaction (Snowflake's documentation does not say),
// the batch stops before its ledger rows with a transient error, and the
// next load reads the same files again: each ends with one copy of its rows
// and one loaded ledger row.
func TestCommittedDuringCopy(t *testing.T) {
	f := sffake.New(t)
	b, keys := runBucket(t, 3)
	w := openFake(t, f, "")
	f.CommitDuring(copyRecords, 1)
	_, err := loader.New(b, "", w, loader.Options{Now: clock}).Load(context.Background())
	if reason, _ := warehouse.Explain(err); warehouse.ClassOf(err) != warehouse.Transient || reason != "implicit_commit" {
		t.Fatalf("load: %v, want a transient implicit_commit error", err)
	}
	for _, k := range keys {
		if f.LedgerFor(k) != nil {
			t.Errorf("%s has a ledger row after the interrupted batch", k)
		}
	}
	rep := load(t, b, w)
	if len(rep.Failed) != 0 || rep.Files != len(keys) {
		t.Fatalf("second load: %+v", rep)
	}
	for _, k := range keys {
		if f.FileRows("SYNC_RECORDS")[k] != 10 || f.LedgerFor(k)[4] != warehouse.StatusLoaded {
			t.Errorf("%s: %d rows, ledger %q; want 10 rows, loaded", k, f.FileRows("SYNC_RECORDS")[k], f.LedgerFor(k))
		}
	}
}
