package snowflake

import (
	"context"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// TestExternalUnreadableFileFails: in external mode a file Snowflake cannot
// read is never recorded as loaded. One validating COPY per batch names it;
// it fails alone as a data error with Snowflake's reason, the rest are
// loaded, and once readable it loads on the next cycle.
func TestExternalUnreadableFileFails(t *testing.T) {
	f := sffake.New(t)
	b, keys := runBucket(t, 4)
	w := openFake(t, f, "")
	w.UseExternalTables()
	bad := keys[1]
	f.Unreadable(bad, "Error parsing the parquet file: Invalid: Parquet magic bytes not found in footer.")
	rep := load(t, b, w)
	if len(rep.Failed) != 1 || rep.Failed[0].Key != bad || warehouse.ClassOf(rep.Failed[0].Err) != warehouse.Data ||
		!strings.Contains(rep.Failed[0].Err.Error(), "magic bytes") {
		t.Fatalf("failed: %+v, want %s alone, a data error with Snowflake's reason", rep.Failed, bad)
	}
	if n := count(f.Statements(), `COPY INTO "SYNCTRACK"."LOAD_CHECK"`); n != 1 {
		t.Errorf("%d validating COPY statements for one batch, want 1", n)
	}
	if n := count(f.Statements(), `COPY INTO "SYNCTRACK"."SYNC_RECORDS"`); n != 0 {
		t.Errorf("external mode copied records %d times", n)
	}
	e := map[string]string{}
	for _, k := range keys {
		e[k] = etag(t, b, k)
	}
	checkLedger(t, f, map[string][]version{
		keys[0]: {{e[keys[0]], "loaded"}}, bad: {{e[bad], "failed"}},
		keys[2]: {{e[keys[2]], "loaded"}}, keys[3]: {{e[keys[3]], "loaded"}},
	})

	f.Readable(bad)
	f.Reset()
	if rep := load(t, b, w); len(rep.Failed) != 0 || rep.Files != 1 {
		t.Fatalf("retry: %+v", rep)
	}
	checkLedger(t, f, map[string][]version{bad: {{e[bad], "loaded"}}})
}

// TestExternalCheckTableAdded: a schema set up before the check table
// existed gets it on the first validation, outside any transaction.
func TestExternalCheckTableAdded(t *testing.T) {
	ctx := context.Background()
	f := sffake.New(t)
	b, _ := runBucket(t, 2)
	w := openFake(t, f, "")
	w.UseExternalTables()
	if _, err := w.Ledger(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB().ExecContext(ctx, `DROP TABLE "SYNCTRACK"."LOAD_CHECK"`); err != nil {
		t.Fatal(err)
	}
	f.Reset()
	if rep := load(t, b, w); len(rep.Failed) != 0 || rep.Files != 3 {
		t.Fatalf("load: %+v", rep)
	}
	var got []string
	for _, s := range f.Statements() {
		if strings.Contains(firstLine(s), "LOAD_CHECK") {
			got = append(got, firstLine(s))
		}
	}
	want := []string{`COPY INTO "SYNCTRACK"."LOAD_CHECK"`, `CREATE TABLE IF NOT EXISTS "SYNCTRACK"."LOAD_CHECK" (`, `COPY INTO "SYNCTRACK"."LOAD_CHECK"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("statements on the check table:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
