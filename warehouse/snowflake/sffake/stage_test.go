package sffake

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/memblob"

	"github.com/synctrack/synctrack/dialects"
)

// TestCopyFindsFiles: COPY learns a file's rows and readability in one
// place, from the stage when there is one (a parquet file's own count, a
// file that is not parquet unreadable) or from a test's script, and
// Unreadable breaks a file either way. An unreadable file fails the whole
// statement, loading nothing, or under SKIP_FILE alone; rows per _file
// follow the transaction.
func TestCopyFindsFiles(t *testing.T) {
	ctx := context.Background()
	b, err := blob.OpenBucket(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var pq bytes.Buffer
	if err := parquet.Write(&pq, []struct{ ID int64 }{{1}, {2}, {3}}); err != nil {
		t.Fatal(err)
	}
	for key, data := range map[string][]byte{"good": pq.Bytes(), "broken": pq.Bytes(), "junk": []byte("not parquet")} {
		if err := b.WriteAll(ctx, key, data, nil); err != nil {
			t.Fatal(err)
		}
	}
	copyInto := func(f *Server, skip bool, keys ...string) map[string]any {
		return f.query(dialects.Snowflake{}.CopyInto(dialects.Copy{Schema: "synctrack", Table: "sync_records",
			Stage: []string{"s"}, Keys: keys, Metadata: dialects.RecordsMetadata, SkipFiles: skip}))
	}
	statuses := func(res map[string]any) string {
		if res["success"] != true {
			return fmt.Sprint("error: ", res["message"])
		}
		var out []any
		for _, r := range res["data"].(map[string]any)["rowset"].([][]any) {
			out = append(out, r[1], r[3])
		}
		return fmt.Sprint(out...)
	}

	f := New(t)
	f.Stage(b)
	f.Unreadable("broken", "broken by the test")
	if got := statuses(copyInto(f, false, "good", "junk")); !strings.HasPrefix(got, "error: Error parsing the parquet file") {
		t.Errorf("ABORT_STATEMENT with a junk file: %s", got)
	}
	if rows := f.FileRows("SYNC_RECORDS"); len(rows) != 0 {
		t.Errorf("a failed COPY loaded %v", rows)
	}
	f.query("BEGIN")
	if got := statuses(copyInto(f, true, "good", "junk", "broken")); got != "LOADED3LOAD_FAILED0LOAD_FAILED0" {
		t.Errorf("SKIP_FILE: %s", got)
	}
	f.query("ROLLBACK")
	if rows := f.FileRows("SYNC_RECORDS"); len(rows) != 0 {
		t.Errorf("a rolled-back COPY left %v", rows)
	}
	copyInto(f, true, "good", "junk", "broken")
	if got := fmt.Sprint(f.FileRows("SYNC_RECORDS")); got != "map[good:3]" {
		t.Errorf("rows per file %s, want good's 3 (from its footer)", got)
	}
	f.query(`DELETE FROM "SYNCTRACK"."SYNC_RECORDS" WHERE "_FILE" IN ('good')`)
	if rows := f.FileRows("SYNC_RECORDS"); len(rows) != 0 {
		t.Errorf("rows left after DELETE by _file: %v", rows)
	}

	s := New(t) // no stage: what the test scripted
	s.Rows("good", 5)
	s.Unreadable("broken", "broken by the test")
	if got := statuses(copyInto(s, true, "good", "other", "broken")); got != "LOADED5LOADED10LOAD_FAILED0" {
		t.Errorf("scripted: %s", got)
	}
}
