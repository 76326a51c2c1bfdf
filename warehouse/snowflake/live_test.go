package snowflake

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// TestLive loads a generated bucket into a real Snowflake account twice: the
// first cycle loads every object, the second finds nothing new. It also
// settles, on the real service, what the documentation leaves open or the
// fake only models: the generator writes files with unknown columns, so the
// first cycle's COPYs evolve sync_records inside the batch's transaction
// (were that to commit it, the load would fail with implicit_commit); and a
// file that is not parquet must fail alone, named by COPY's SKIP_FILE result,
// with its ledger row failed and no row of it kept. It runs only when these
// are set (and skips otherwise):
//
//	SYNCTRACK_SNOWFLAKE_DSN     snowflake://user@account/db/schema?warehouse=..&stage=..
//	SYNCTRACK_SNOWFLAKE_BUCKET  the bucket URL the stage points at (s3://, gs://), writable
//	plus one secret: SYNCTRACK_SNOWFLAKE_PRIVATE_KEY_FILE, _PASSWORD or _TOKEN
func TestLive(t *testing.T) {
	dsn, bucketURL := os.Getenv("SYNCTRACK_SNOWFLAKE_DSN"), os.Getenv("SYNCTRACK_SNOWFLAKE_BUCKET")
	if dsn == "" || bucketURL == "" {
		t.Skip("set SYNCTRACK_SNOWFLAKE_DSN and SYNCTRACK_SNOWFLAKE_BUCKET to run against Snowflake")
	}
	ctx := context.Background()
	b, err := blob.OpenBucket(ctx, bucketURL)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	o := gen.DefaultOptions()
	o.RowsPerFile = 50
	m, err := gen.Generate(ctx, b, o)
	if err != nil {
		t.Fatal(err)
	}
	var bad string
	for _, f := range m.Files {
		if f.Kind == gen.KindRecords {
			bad = f.Key[:strings.LastIndex(f.Key, "/")+1] + "records_added.999.parquet"
			break
		}
	}
	if err := b.WriteAll(ctx, bad, []byte("not a parquet file"), nil); err != nil {
		t.Fatal(err)
	}
	// A file with two messages that are not UTF-8: the strict COPY must
	// skip it naming UTF-8 (which the fake assumes), then it loads repaired,
	// counted (an account exempt from behaviour change 1013 might accept it
	// in the strict COPY: this says which).
	text := bad[:strings.LastIndex(bad, "/")+1] + "records_added.998.parquet"
	writeBadTextFile(t, b, text)
	c, err := ParseURL(dsn, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Open(ctx, c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rep, err := loader.New(b, "", w, loader.Options{}).Load(ctx)
	if err != nil || len(rep.Failed) != 1 || rep.Failed[0].Key != bad {
		t.Fatalf("first load: %v %+v, want only %s failed", err, rep, bad)
	}
	t.Logf("the bad file's error: %v", rep.Failed[0].Err)
	if note := ledgerNoteLive(t, w, text); !strings.Contains(note, "repaired 2 string values") {
		t.Errorf("ledger note of %s: %q, want 2 repaired values counted", text, note)
	}
	rows, err := w.Query(ctx, "SELECT COUNT(*) FROM "+w.table("sync_records")+" WHERE "+w.d.Ident("_file")+" = :1",
		[]warehouse.Arg{{Value: bad}})
	if err != nil {
		t.Fatal(err)
	}
	var kept any
	for rows.Next() {
		if err := rows.Scan(&kept); err != nil {
			t.Fatal(err)
		}
	}
	rows.Close()
	if fmt.Sprint(kept) != "0" {
		t.Errorf("%v rows kept of the bad file", kept)
	}
	if err := b.Delete(ctx, bad); err != nil {
		t.Fatal(err)
	}
	rep, err = loader.New(b, "", w, loader.Options{}).Load(ctx)
	if err != nil || rep.Files != 0 {
		t.Fatalf("second load must load nothing: %v %+v", err, rep)
	}
}

// writeBadTextFile writes a records file at key (in a run folder) whose
// messages are not all UTF-8.
func writeBadTextFile(t *testing.T, b *blob.Bucket, key string) {
	t.Helper()
	parts := strings.Split(key, "/")
	at := time.Now().UTC().Truncate(time.Second)
	rejected := "rejected"
	var rows []gen.Record
	for j, m := range []string{"fine", "caf\xe9 \xc3\x28", "also \xff"} {
		m := m
		rows = append(rows, gen.Record{Identifier: fmt.Sprint(9000 + j), Payload: `{"email":"a@b"}`, Operation: "added",
			Status: &rejected, StatusMessage: &m, Started: at, Ended: at, SyncConfigurationID: parts[2], SyncRunID: parts[3]})
	}
	var buf bytes.Buffer
	if err := gen.WriteRecords(&buf, rows, gen.Shape{}); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteAll(context.Background(), key, buf.Bytes(), nil); err != nil {
		t.Fatal(err)
	}
}

// ledgerNoteLive reads the error/note column of key's ledger row.
func ledgerNoteLive(t *testing.T, w *Warehouse, key string) string {
	t.Helper()
	rows, err := w.Query(context.Background(), "SELECT "+w.d.Ident("error")+" FROM "+w.table("load_ledger")+
		" WHERE "+w.d.Ident("key")+" = :1", []warehouse.Arg{{Value: key}})
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var note any
	for rows.Next() {
		if err := rows.Scan(&note); err != nil {
			t.Fatal(err)
		}
	}
	return fmt.Sprint(note)
}
