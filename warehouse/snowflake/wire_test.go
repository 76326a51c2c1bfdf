package snowflake

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/memblob"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// clock is a fixed clock, so statements are the same every run.
func clock() time.Time { return time.Date(2025, 11, 20, 8, 30, 0, 0, time.UTC) }

// testBucket writes a small bucket: two runs of one sync (one old-shape file
// name, one payload schema with hostile field names), a fact file and a
// marker. Snowflake never reads records files through synctrack, so their
// bytes are placeholders; metadata.json is read by the loader and is real.
func testBucket(t testing.TB, records int) *blob.Bucket {
	t.Helper()
	ctx := context.Background()
	b, err := blob.OpenBucket(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	put := func(key, body string) {
		if err := b.WriteAll(ctx, key, []byte(body), nil); err != nil {
			t.Fatal(err)
		}
	}
	meta := `{"org_id":"org1","sync_configuration_id":"52275","sync_run_id":"%s","started_at":"2025-11-19T10:00:00Z",
"destination":{"type":"salesforce","id":"d1"},"record_payload_schema":{"email":"string","Email":"string","score":"number","ok":"boolean","it's \"x\"":"string","tags":"array"}}`
	for _, run := range []string{"run1", "run2"} {
		put("sync_tracking_datasets/org1/52275/"+run+"/metadata.json", fmt.Sprintf(meta, run))
	}
	put("sync_tracking_datasets/org1/52275/run1/records_updated.parquet", "PAR1 placeholder")
	for i := range records {
		put(fmt.Sprintf("sync_tracking_datasets/org1/52275/run2/records_added.%d.parquet", i), "PAR1 placeholder")
	}
	put("metadata/org1/destinations.parquet", "PAR1 placeholder")
	put("sync_tracking_datasets/org1/52275/run2/_SUCCESS", "")
	return b
}

func openFake(t testing.TB, f *sffake.Server, extra string) *Warehouse {
	t.Helper()
	env := map[string]string{EnvPassword: "s3cr3t-pw"}
	c, err := ParseURL(f.URL(extra), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	w, err := Open(context.Background(), c, Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func load(t testing.TB, b *blob.Bucket, w *Warehouse) *loader.Report {
	t.Helper()
	rep, err := loader.New(b, "", w, loader.Options{Now: clock}).Load(context.Background())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return rep
}

func count(stmts []string, prefix string) int {
	n := 0
	for _, s := range stmts {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// TestWireLoadCycle runs the project's loader through the real driver against
// the fake service: setup on first use, one transaction per step with the
// statements in order, every file copied once, the ledger written, and a
// second cycle with nothing new that copies nothing.
func TestWireLoadCycle(t *testing.T) {
	f := sffake.New(t)
	b := testBucket(t, 3)
	w := openFake(t, f, "&stage=ANALYTICS.SYNCTRACK.SYNC_LOGS")
	rep := load(t, b, w)
	if len(rep.Failed) != 0 || rep.Files != 7 {
		t.Fatalf("report: %+v", rep)
	}
	golden(t, "cycle_loaded.sql", f.Statements())
	for _, k := range []string{"sync_tracking_datasets/org1/52275/run1/records_updated.parquet",
		"sync_tracking_datasets/org1/52275/run2/records_added.2.parquet", "metadata/org1/destinations.parquet"} {
		if n := f.Copied()[k]; n != 1 {
			t.Errorf("%s copied %d times, want 1", k, n)
		}
		if r := f.LedgerFor(k); r == nil || r[4] != "loaded" || r[5] != "10" {
			t.Errorf("%s ledger row %q, want loaded with 10 rows", k, r)
		}
	}
	if r := f.LedgerFor("sync_tracking_datasets/org1/52275/run2/_SUCCESS"); r == nil || r[4] != "skipped" {
		t.Errorf("_SUCCESS ledger row %q, want skipped", r)
	}
	assertOrder(t, f.Statements(), "COPY INTO \"SYNCTRACK\".\"SYNC_RECORDS\"",
		"BEGIN", `DELETE FROM "SYNCTRACK"."SYNC_RECORDS"`, `DELETE FROM "SYNCTRACK"."RUN_OUTCOME_COUNTS"`,
		`DELETE FROM "SYNCTRACK"."RUN_FINGERPRINT_COUNTS"`, `COPY INTO "SYNCTRACK"."SYNC_RECORDS"`,
		"SELECT CURRENT_TRANSACTION()", `SELECT "_FILE" FROM "SYNCTRACK"."SYNC_RECORDS"`, `UPDATE "SYNCTRACK"."SYNC_RECORDS"`,
		`INSERT INTO "SYNCTRACK"."RUN_OUTCOME_COUNTS"`, `INSERT INTO "SYNCTRACK"."RUN_FINGERPRINT_COUNTS"`,
		`UPDATE "SYNCTRACK"."LOAD_LEDGER"`, `MERGE INTO "SYNCTRACK"."LOAD_LEDGER"`, "COMMIT")
	for k, n := range f.FileRows("SYNC_RECORDS") {
		if c := f.FileRows("RUN_OUTCOME_COUNTS")[k]; c != n {
			t.Errorf("%s: counts written for %d rows, sync_records holds %d", k, c, n)
		}
	}

	f.Reset()
	rep = load(t, b, w)
	stmts := f.Statements()
	if rep.Files != 0 || count(stmts, "COPY") != 0 || count(stmts, "BEGIN") != 0 {
		t.Fatalf("second cycle with nothing new: report %+v, statements:\n%s", rep, strings.Join(stmts, "\n---\n"))
	}
	if len(stmts) != 2 || count(stmts, `SELECT "KEY", "ETAG", "STATUS"`) != 2 {
		t.Errorf("second cycle issued %d statements, want 2 (the ledger read by prefix, runs and facts):\n%s", len(stmts), strings.Join(stmts, "\n---\n"))
	}
}

// assertOrder checks that the transaction holding the statement starting with
// anchor consists of want, in order.
func assertOrder(t *testing.T, stmts []string, anchor string, want ...string) {
	t.Helper()
	for i, s := range stmts {
		if !strings.HasPrefix(s, anchor) {
			continue
		}
		start := i
		for start > 0 && stmts[start] != "BEGIN" {
			start--
		}
		var got []string
		for j := start; j < len(stmts); j++ {
			got = append(got, firstLine(stmts[j]))
			if stmts[j] == "COMMIT" || stmts[j] == "ROLLBACK" {
				break
			}
		}
		if len(got) != len(want) {
			t.Fatalf("transaction around %q:\n%s\nwant:\n%s", anchor, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for j := range want {
			if !strings.HasPrefix(got[j], want[j]) {
				t.Fatalf("transaction statement %d is %q, want %q", j, got[j], want[j])
			}
		}
		return
	}
	t.Fatalf("no statement starts with %q", anchor)
}
