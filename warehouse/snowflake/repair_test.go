package snowflake

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// A records file holding strings that are not UTF-8 is not dropped, and
// what was replaced is counted: the batch's COPY is strict about UTF-8, so
// Snowflake skips that file and names it (the others load); the loader
// reads the file, counts its bad values, and the file is copied again
// alone with REPLACE_INVALID_CHARACTERS = TRUE; its ledger row is loaded
// with the count. sffake's COPY reads the real files from the bucket.
func TestBadTextReplacedAndCounted(t *testing.T) {
	f := sffake.New(t)
	b := textBucket(t)
	f.Stage(b)
	w := openFake(t, f, "")
	rep := load(t, b, w)
	bad := "sync_tracking_datasets/o/s/r/records_added.2.parquet"
	if len(rep.Failed) != 0 || rep.Files != 4 {
		t.Fatalf("%d files loaded, failed %+v; want all 3 and the metadata", rep.Files, rep.Failed)
	}
	if got := f.FileRows("SYNC_RECORDS")[bad]; got != 3 {
		t.Errorf("%d rows of the repaired file, want its 3", got)
	}
	row := f.LedgerFor(bad)
	if len(row) < 7 || row[4] != "loaded" || !strings.Contains(row[6], "repaired 2 string values") {
		t.Errorf("ledger row of the repaired file %q; want loaded, counting 2 repaired values", row)
	}
	var strict, replacing int
	for _, s := range f.Statements() {
		if !strings.HasPrefix(s, `COPY INTO "SYNCTRACK"."SYNC_RECORDS"`) {
			continue
		}
		switch {
		case strings.Contains(s, "REPLACE_INVALID_CHARACTERS = FALSE"):
			strict++
		case strings.Contains(s, "REPLACE_INVALID_CHARACTERS = TRUE") && strings.Contains(s, "'"+bad+"'"):
			replacing++
		default:
			t.Errorf("a records COPY that replaces bad text for files it was not asked to:\n%s", s)
		}
	}
	if strict != 1 || replacing != 1 {
		t.Errorf("%d strict and %d replacing records COPYs, want 1 and 1", strict, replacing)
	}
}

// textBucket is a run folder of three records files, the last with two
// status messages that are not UTF-8.
func textBucket(t *testing.T) *blob.Bucket {
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
	at := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	rejected := "rejected"
	for i, msgs := range [][]string{{"a", "b"}, {"c"}, {"fine", "caf\xe9 \xc3\x28", "also \xff"}} {
		var rows []gen.Record
		for j, m := range msgs {
			m := m
			rows = append(rows, gen.Record{Identifier: fmt.Sprint(i*10 + j), Payload: `{"email":"a@b"}`, Operation: "added",
				Status: &rejected, StatusMessage: &m, Started: at, Ended: at, SyncConfigurationID: "s", SyncRunID: "r"})
		}
		var buf bytes.Buffer
		if err := gen.WriteRecords(&buf, rows, gen.Shape{}); err != nil {
			t.Fatal(err)
		}
		key := fmt.Sprintf("sync_tracking_datasets/o/s/r/records_added.%d.parquet", i)
		if err := b.WriteAll(ctx, key, buf.Bytes(), nil); err != nil {
			t.Fatal(err)
		}
	}
	return b
}
