package duckdb

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/warehouse"
)

// maxTallyBytes bounds a batch's distinct strings however its files were
// grouped: prepared at staging, each file's tally is under the bound and
// the batch's together over it, which goes to the SQL pass as the same batch
// unprepared does. (Found in review: the bound had become per file.)
func TestPreparedBatchKeepsTheTallyBound(t *testing.T) {
	type row struct {
		Identifier string `parquet:"identifier"`
		Status     string `parquet:"status"`
		Message    string `parquet:"status_message"`
	}
	defer func(was int64) { maxTallyBytes = was }(maxTallyBytes)
	maxTallyBytes = 100 << 10
	dir := t.TempDir()
	var files []warehouse.File
	for i := range 4 {
		var rows []row
		for j := range 300 { // some 60 KB of distinct messages a file
			rows = append(rows, row{fmt.Sprint(j), "rejected", fmt.Sprintf("f%d rejected record %d: %s", i, j, strings.Repeat("x", 180))})
		}
		p := filepath.Join(dir, fmt.Sprintf("f%d.parquet", i))
		if err := parquet.WriteFile(p, rows); err != nil {
			t.Fatal(err)
		}
		files = append(files, warehouse.File{Object: warehouse.Object{Key: p, OrgID: "o"}, Local: p, Rows: 300})
	}
	read := statFiles(files)
	if r := tallyBatch(files, read, 2); !isNoTally(r.err) {
		t.Fatalf("premise: unprepared, the batch passes the bound: err %v", r.err)
	}
	w := &Warehouse{}
	for i := range files {
		fh, err := os.Open(files[i].Local)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := fh.Stat()
		pf, err := parquet.OpenFile(fh, st.Size())
		if err != nil {
			t.Fatal(err)
		}
		files[i].Prepared = w.PrepareRecords(files[i], pf, st)
		fh.Close()
	}
	// Until the background has taken them all (grouped, or left to the
	// load once its tallies pass the bound).
	for queued := true; queued; time.Sleep(5 * time.Millisecond) {
		ahead.mu.Lock()
		queued = len(ahead.queue) > 0
		ahead.mu.Unlock()
	}
	if r := tallyBatch(files, read, 2); !isNoTally(r.err) {
		t.Errorf("prepared, the batch past the bound was grouped in Go (err %v)", r.err)
	}
}

// An empty object (no local copy) in a batch has no groups and is no error,
// however many workers share the batch. (Found in review: the workers once
// opened "" for it.)
func TestTallyBatchEmptyObject(t *testing.T) {
	type row struct {
		Identifier string `parquet:"identifier"`
		Status     string `parquet:"status"`
	}
	p := filepath.Join(t.TempDir(), "f.parquet")
	if err := parquet.WriteFile(p, []row{{"1", "succeeded"}, {"2", "rejected"}}); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		files := []warehouse.File{
			{Object: warehouse.Object{Key: "empty", OrgID: "o"}},
			{Object: warehouse.Object{Key: p, OrgID: "o"}, Local: p, Rows: 2},
		}
		r := tallyBatch(files, statFiles(files), workers)
		if r.err != nil {
			t.Fatalf("%d workers: %v", workers, r.err)
		}
		groups := map[string]int{}
		for i, part := range r.parts {
			for j, g := range part.files {
				groups[r.files[i][j].Key] = len(g)
			}
		}
		if n, ok := groups["empty"]; !ok || n != 0 || groups[p] != 2 {
			t.Errorf("%d workers: groups per file %v, want none for the empty object and 2 for %s", workers, groups, p)
		}
	}
}
