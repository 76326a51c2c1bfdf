package snowflake

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// runBucket writes one run folder with n records files and returns their keys.
func runBucket(t testing.TB, n int) (*blob.Bucket, []string) {
	t.Helper()
	ctx := context.Background()
	b, err := blob.OpenBucket(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	meta := `{"org_id":"o","sync_configuration_id":"s","sync_run_id":"r","record_payload_schema":{"email":"string"}}`
	if err := b.WriteAll(ctx, "sync_tracking_datasets/o/s/r/metadata.json", []byte(meta), nil); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("sync_tracking_datasets/o/s/r/records_added.%d.parquet", i)
		if err := b.WriteAll(ctx, keys[i], []byte("PAR1 placeholder"), nil); err != nil {
			t.Fatal(err)
		}
	}
	return b, keys
}

// TestBadFileOneCopy: one unreadable file in a batch of 12 or 1,000 costs
// one COPY (ON_ERROR = SKIP_FILE names it in its result), not a COPY per
// halving step; it alone fails, as a data error naming Snowflake's reason,
// and keeps no rows; the rest load once.
func TestBadFileOneCopy(t *testing.T) {
	for _, n := range []int{12, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := sffake.New(t)
			b, keys := runBucket(t, n)
			bad := keys[n/3]
			f.Unreadable(bad, "Error parsing the parquet file: Invalid: Parquet magic bytes not found in footer.")
			w := openFake(t, f, "")
			rep := load(t, b, w)
			copies := count(f.Statements(), `COPY INTO "SYNCTRACK"."SYNC_RECORDS"`)
			t.Logf("%d files, one unreadable: %d COPY statements", n, copies)
			if len(rep.Failed) != 1 || rep.Failed[0].Key != bad || warehouse.ClassOf(rep.Failed[0].Err) != warehouse.Data {
				t.Fatalf("failed: %+v, want %s alone as a data error", rep.Failed, bad)
			}
			if copies != 1 {
				t.Errorf("%d COPY statements, want 1", copies)
			}
			recs := f.FileRows("SYNC_RECORDS")
			for _, k := range keys {
				if want := map[bool]int64{true: 0, false: 10}[k == bad]; recs[k] != want {
					t.Errorf("%s has %d rows, want %d", k, recs[k], want)
				}
			}
		})
	}
}

// TestChangedFileFailsKeepsOldVersion: a new version of an object that COPY
// cannot read fails alone, and the version loaded before keeps its rows and
// its ledger row (the batch's DELETE removed them, so the batch rolls back
// and runs again without it), while a changed readable object in the same
// batch is replaced and a new one loaded. Once readable, the new version
// replaces the old.
func TestChangedFileFailsKeepsOldVersion(t *testing.T) {
	f := sffake.New(t)
	b, keys := runBucket(t, 3)
	w := openFake(t, f, "")
	load(t, b, w)
	e := []string{etag(t, b, keys[0]), etag(t, b, keys[1]), etag(t, b, keys[2])}

	changed, broken, fresh := keys[0], keys[1], "sync_tracking_datasets/o/s/r/records_added.3.parquet"
	e0 := rewrite(t, b, changed, "PAR1 version 2")
	e1 := rewrite(t, b, broken, "PAR1 version 2, truncated")
	e3 := rewrite(t, b, fresh, "PAR1 new")
	f.Rows(changed, 5)
	f.Unreadable(broken, "Error parsing the parquet file: Invalid: Parquet magic bytes not found in footer.")
	f.Reset()
	rep := load(t, b, w)
	if len(rep.Failed) != 1 || rep.Failed[0].Key != broken || !strings.Contains(rep.Failed[0].Err.Error(), "magic bytes") {
		t.Fatalf("failed: %+v, want %s alone, with Snowflake's reason", rep.Failed, broken)
	}
	if want := map[string]int64{changed: 5, broken: 10, keys[2]: 10, fresh: 10}; fmt.Sprint(f.FileRows("SYNC_RECORDS")) != fmt.Sprint(want) {
		t.Errorf("rows per file %v, want %v (the broken file keeps its old version's rows)", f.FileRows("SYNC_RECORDS"), want)
	}
	checkLedger(t, f, map[string][]version{
		changed: {{e[0], "replaced"}, {e0, "loaded"}},
		broken:  {{e[1], "loaded"}, {e1, "failed"}},
		keys[2]: {{e[2], "loaded"}},
		fresh:   {{e3, "loaded"}},
	})
	var records []string
	for _, tx := range transactions(f.Statements()) {
		if strings.Contains(tx, `COPY INTO "SYNCTRACK"."SYNC_RECORDS"`) {
			records = append(records, tx)
		}
	}
	copyFresh := `COPY INTO "SYNCTRACK"."SYNC_RECORDS"`
	// A changed file's counts go with its rows, and the new rows' counts
	// come with them, in the same transaction.
	deleteCounts := `DELETE FROM "SYNCTRACK"."RUN_OUTCOME_COUNTS" WHERE "_FILE" IN | DELETE FROM "SYNCTRACK"."RUN_FINGERPRINT_COUNTS" WHERE "_FILE" IN | `
	insertCounts := `INSERT INTO "SYNCTRACK"."RUN_OUTCOME_COUNTS" | INSERT INTO "SYNCTRACK"."RUN_FINGERPRINT_COUNTS" | `
	want := []string{
		"BEGIN | DELETE FROM \"SYNCTRACK\".\"SYNC_RECORDS\" WHERE \"_FILE\" IN | " + deleteCounts + copyFresh + " | " + copyFresh + " | SELECT CURRENT_TRANSACTION() | ROLLBACK",
		"BEGIN | DELETE FROM \"SYNCTRACK\".\"SYNC_RECORDS\" WHERE \"_FILE\" IN | " + deleteCounts + copyFresh + " | " + copyFresh +
			" | SELECT CURRENT_TRANSACTION() | SELECT \"_FILE\" FROM \"SYNCTRACK\".\"SYNC_RECORDS\" WHERE \"_FILE\" IN | UPDATE \"SYNCTRACK\".\"SYNC_RECORDS\" SET | " + insertCounts + "UPDATE \"SYNCTRACK\".\"LOAD_LEDGER\" l SET \"STATUS\" = 'replaced' | MERGE INTO \"SYNCTRACK\".\"LOAD_LEDGER\" l | COMMIT",
	}
	if strings.Join(records, "\n") != strings.Join(want, "\n") {
		t.Errorf("records transactions:\n%s\nwant:\n%s", strings.Join(records, "\n"), strings.Join(want, "\n"))
	}

	f.Readable(broken)
	f.Rows(broken, 7)
	f.Reset()
	if rep := load(t, b, w); len(rep.Failed) != 0 || rep.Files != 1 {
		t.Fatalf("retry: %+v", rep)
	}
	if f.FileRows("SYNC_RECORDS")[broken] != 7 {
		t.Errorf("%s has %d rows after its retry, want the new version's 7", broken, f.FileRows("SYNC_RECORDS")[broken])
	}
	checkLedger(t, f, map[string][]version{broken: {{e[1], "replaced"}, {e1, "loaded"}}})
	for _, s := range f.Statements() {
		if strings.HasPrefix(s, "COPY") && !strings.HasSuffix(s, "FORCE = TRUE") {
			t.Errorf("the retried file was copied without FORCE:\n%s", s)
		}
	}
}
