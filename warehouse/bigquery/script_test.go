package bigquery

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// recordsScript renders path a's script for n new files whose keys are
// keyLen bytes long, all of one schema, as LoadRecords would, and the size of
// the parameters of the job that stages their arrays.
func recordsScript(t *testing.T, n, keyLen int) (string, int, error) {
	t.Helper()
	w := &Warehouse{c: Config{Dataset: "synctrack"}, bucket: "acme-sync-logs", path: PathQuery,
		now: func() time.Time { return time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC) }}
	files := make([]warehouse.File, n)
	objs := make([]warehouse.Object, n)
	es := make([]warehouse.LedgerEntry, n)
	g := group{cols: []dialects.Column{{Name: "identifier", Type: "STRING"}, {Name: "batch_ended_at", Type: "TIMESTAMP"}}}
	for i := range files {
		prefix := fmt.Sprintf("sync_tracking_datasets/1001/52275/%d/", 8819832+i/20)
		name := fmt.Sprintf("records_updated.%d.parquet", i%20)
		key := prefix + strings.Repeat("x", max(0, keyLen-len(prefix)-len(name))) + name
		num := int64(i % 20)
		o := warehouse.Object{Key: key, ETag: "\"0a1b2c3d4e5f60718293a4b5c6d7e8f9\"", Size: 123456, Kind: warehouse.KindRecords,
			OrgID: "1001", SyncID: "52275", RunID: fmt.Sprint(8819832 + i/20), BatchType: "records_updated", BatchNumber: &num,
			ModTime: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)}
		files[i], objs[i], es[i] = warehouse.File{Object: o, Attempts: 1}, o, warehouse.LoadedEntry(o, 25000, 1, "", w.now())
		g.files = append(g.files, i)
	}
	in, a, _, err := w.prepare(arrays{files: w.filesRows(objs, w.gsPrefix()), ledger: w.ledgerRows(es)})
	if err != nil {
		return "", 0, err
	}
	in.LoadedAt = w.d.Value(w.now())
	decl := w.d.Declare(&in)
	build := func(srcs []dialects.BQSource) []string {
		return w.d.ReplaceRecords("synctrack", in, srcs, nil, analysis.CountsInserts(w.d, "synctrack", w.d.BatchFiles(in), ""))
	}
	s, _, err := w.queryScript("c1", decl, in, files, []group{g}, build)
	return s, a.Bytes(), err
}

// A default batch of vendor-shaped keys fits one staging job and one script:
// keys are parameters, and only path a's external table lists each URI in
// the text. Keys of the longest length GCS allows are refused before any job
// runs (the loader then halves the batch), never sent to fail.
func TestScriptSize(t *testing.T) {
	files, _ := (&Warehouse{}).BatchLimits()
	s, p, err := recordsScript(t, files, 100)
	if err != nil {
		t.Fatalf("%d files with 100-byte keys: %v", files, err)
	}
	one, p1, _ := recordsScript(t, 1, 100)
	t.Logf("%d files, 100-byte keys: script %d bytes (%d per file), parameters %d bytes (%d per file); 1 file: %d and %d bytes",
		files, len(s), (len(s)-len(one))/(files-1), p, (p-p1)/(files-1), len(one), p1)
	key := "sync_tracking_datasets/1001/52275/8819832/" + strings.Repeat("x", 100-42-25) + "records_updated.0.parquet"
	if n := strings.Count(s, key); n != 1 {
		t.Errorf("a key appears %d times in the script, want 1 (the external table's URI)", n)
	}
	if _, _, err := recordsScript(t, files, 1024); !errors.Is(err, errScriptTooLarge) {
		t.Errorf("%d files with 1,024-byte keys: err %v, want errScriptTooLarge", files, err)
	}
	if s, p, err := recordsScript(t, 900, 1024); err != nil {
		t.Errorf("900 files with 1,024-byte keys: %v", err)
	} else {
		t.Logf("900 files with 1,024-byte keys: script %d bytes, parameters %d bytes", len(s), p)
	}
}
