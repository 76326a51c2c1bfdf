package bigquery

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
)

// A file BigQuery refuses for strings that are not UTF-8 is not dropped:
// the loader repairs a copy (bad bytes replaced by U+FFFD) and BigQuery
// loads that copy through a load job's upload, on either path; the other
// files load in the first call; the ledger row says how many values were
// repaired. The fake refuses the bucket's file as BigQuery would (scripted:
// its wording is not documented) and keeps the uploaded bytes, which must
// be the repaired file with every row.
func TestNotUTF8Repaired(t *testing.T) {
	for _, path := range []string{PathQuery, PathLoad} {
		t.Run(path, func(t *testing.T) {
			f := newBQFake(t)
			c := newCountedBucket(t)
			f.schema = serverSchema(c)
			keys := writeRecords(t, c, "r1", 0, 3, gen.Shape{})
			bad := writeBadText(t, c, "r1", 3)
			uri := "gs://" + fakeBucket + "/" + bad
			ft := Fault{Reason: "invalid", Message: "Error while reading data, error message: invalid UTF-8 in column status_message. File: " + uri}
			f.failWhen(map[string]func(call) bool{PathQuery: scriptReading(uri), PathLoad: loadOf(uri)}[path], ft)
			w := &counting{Warehouse: openFakeWith(t, f, c, Config{Path: path})}

			rep, err := loader.New(c.b, "", w, loader.Options{Now: fixedNow}).Load(context.Background())
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if len(rep.Failed) != 0 || rep.Files != 4 {
				t.Fatalf("%d files loaded, failed %+v; want all 4 loaded", rep.Files, rep.Failed)
			}
			ledger := f.ledgerWrites()
			for _, k := range append(keys, bad) {
				if ledger[k] != "loaded" {
					t.Errorf("ledger row of %s: %q, want loaded", k, ledger[k])
				}
			}
			if note := ledgerNote(f, bad); !strings.Contains(note, "repaired 2 string values") {
				t.Errorf("ledger note of the repaired file: %q, want it to count 2 repaired values", note)
			}
			if w.calls != 2 {
				t.Errorf("%d LoadRecords calls, want 2 (the batch, then the repaired file alone)", w.calls)
			}
			f.mu.Lock()
			ups := f.uploaded
			f.mu.Unlock()
			if len(ups) != 1 {
				t.Fatalf("%d uploads, want the one repaired file", len(ups))
			}
			msgs := stringColumn(t, ups[0].media, "status_message")
			want := []string{"fine", "caf\uFFFD \uFFFD(", "also \uFFFD"}
			if fmt.Sprint(msgs) != fmt.Sprint(want) {
				t.Errorf("uploaded status_message values %q, want %q", msgs, want)
			}
			for _, m := range msgs {
				if !utf8.ValidString(m) {
					t.Errorf("uploaded value %q is not UTF-8", m)
				}
			}
		})
	}
}

// writeBadText writes a records file of three rows, two of whose messages
// are not UTF-8, and returns its key.
func writeBadText(t *testing.T, c *countedBucket, run string, i int) string {
	t.Helper()
	at := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	rejected := "rejected"
	var rows []gen.Record
	for j, m := range []string{"fine", "caf\xe9 \xc3\x28", "also \xff"} {
		m := m
		rows = append(rows, gen.Record{Identifier: fmt.Sprint(900 + j), Payload: `{"email":"a@b"}`, Operation: "added",
			Status: &rejected, StatusMessage: &m, Started: at, Ended: at, SyncConfigurationID: "52275", SyncRunID: run})
	}
	var buf bytes.Buffer
	if err := gen.WriteRecords(&buf, rows, gen.Shape{}); err != nil {
		t.Fatal(err)
	}
	key := fmt.Sprintf("sync_tracking_datasets/1001/52275/%s/records_added.%d.parquet", run, i)
	if err := c.b.WriteAll(context.Background(), key, buf.Bytes(), nil); err != nil {
		t.Fatal(err)
	}
	return key
}

// ledgerNote is the error/note column of the last ledger row written for key.
func ledgerNote(f *bqFake, key string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	note := ""
	for _, j := range f.inserts {
		jq := j.Configuration.Query
		if jq == nil || !strings.HasPrefix(jq.Query, "CREATE TABLE `synctrack`.`_st_batch_") {
			continue
		}
		keys, notes := param(jq, "ledger_0"), param(jq, "ledger_6")
		for i, k := range keys {
			if k == key && i < len(notes) {
				note = notes[i]
			}
		}
	}
	return note
}

// stringColumn reads one string column of a parquet file, every row.
func stringColumn(t *testing.T, data []byte, name string) []string {
	t.Helper()
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("the upload is not a parquet file: %v", err)
	}
	leaf, ok := pf.Schema().Lookup(name)
	if !ok {
		t.Fatalf("the upload has no column %s", name)
	}
	var out []string
	for _, rg := range pf.RowGroups() {
		rows := rg.Rows()
		buf := make([]parquet.Row, 16)
		for {
			n, err := rows.ReadRows(buf)
			for _, r := range buf[:n] {
				for _, v := range r {
					if v.Column() == leaf.ColumnIndex {
						out = append(out, string(v.ByteArray()))
					}
				}
			}
			if err != nil {
				break
			}
		}
		rows.Close()
	}
	return out
}

// A repaired copy that BigQuery refuses too fails the file once, with
// BigQuery's cause, and is not repaired again in the same load: no loop.
func TestRepairedCopyRefused(t *testing.T) {
	f := newBQFake(t)
	c := newCountedBucket(t)
	f.schema = serverSchema(c)
	writeRecords(t, c, "r1", 0, 2, gen.Shape{})
	bad := writeBadText(t, c, "r1", 2)
	ft := Fault{Reason: "invalid", Message: "Error while reading data, error message: invalid UTF-8 in column status_message"}
	upload := func(c call) bool { return c.Kind == "load" && len(c.URIs) == 0 }
	f.failWhen(func(c call) bool { return upload(c) || loadOf("gs://"+fakeBucket+"/"+bad)(c) }, ft)
	w := &counting{Warehouse: openFakeWith(t, f, c, Config{Path: PathLoad})}
	rep, err := loader.New(c.b, "", w, loader.Options{Now: fixedNow}).Load(context.Background())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if len(rep.Failed) != 1 || rep.Failed[0].Key != bad || rep.Files != 2 {
		t.Fatalf("%d loaded, failed %+v; want 2 loaded and %s failed", rep.Files, rep.Failed, bad)
	}
	if w.calls != 2 || len(f.uploaded) != 1 {
		t.Errorf("%d LoadRecords calls, %d uploads; want 2 and 1 (one repair, no loop)", w.calls, len(f.uploaded))
	}
}
