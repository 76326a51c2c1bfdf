package duckdb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

type stagedRow struct {
	Identifier string    `parquet:"identifier"`
	Status     string    `parquet:"status"`
	Message    string    `parquet:"status_message"`
	Started    time.Time `parquet:"batch_started_at,timestamp(microsecond)"`
}

// stage does what the loader's stager does with a records file: reads its
// footer and hands it, open, to the warehouse.
func stage(t *testing.T, w *duckdb.Warehouse, dir, key string) warehouse.File {
	t.Helper()
	f := warehouse.File{Object: warehouse.Object{Key: key, Kind: warehouse.KindRecords, OrgID: "o1", SyncID: "s1", RunID: "r1"},
		Local: filepath.Join(dir, filepath.FromSlash(key))}
	fh, err := os.Open(f.Local)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	st, _ := fh.Stat()
	pf, err := parquet.OpenFile(fh, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	f.Rows = pf.NumRows()
	for _, c := range pf.Schema().Fields() {
		f.Columns = append(f.Columns, c.Name())
	}
	if f.Prepared = w.PrepareRecords(f, pf, st); f.Prepared == nil {
		t.Fatal("premise: nothing prepared")
	}
	return f
}

// A file's counts grouped as it was staged are used only if the INSERT
// read that same file: in a batch of two staged files, one replaced between
// staging and the load is grouped again, the other's staged groups are
// used, and the counts are those of the rows stored.
func TestGoCountsFileReplacedAfterStaging(t *testing.T) {
	var rows, other []stagedRow
	for i := range 200 {
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		rows = append(rows, stagedRow{fmt.Sprint(i), "rejected", fmt.Sprintf("no %d", i%5), at})
		other = append(other, stagedRow{fmt.Sprint(i), "rejected", fmt.Sprintf("bad %d", i%7), at.Add(time.Hour)})
	}
	for _, replace := range []bool{false, true} {
		t.Run(fmt.Sprint("replaced=", replace), func(t *testing.T) {
			dir, spare := t.TempDir(), t.TempDir()
			keys := []string{runDir + "records_updated.0.parquet", runDir + "records_updated.1.parquet"}
			for _, k := range keys {
				writeParquet(t, dir, k, rows)
			}
			writeParquet(t, spare, "other.parquet", other)
			w := openDuck(t, filepath.Join(t.TempDir(), "w.duckdb"))
			defer w.Close()
			files := []warehouse.File{stage(t, w, dir, keys[0]), stage(t, w, dir, keys[1])}
			for _, f := range files {
				if !duckdb.WaitPrepared(f.Prepared) {
					t.Fatal("premise: the background never grouped a staged file")
				}
			}
			if replace {
				if err := os.Rename(filepath.Join(spare, "other.parquet"), files[1].Local); err != nil {
					t.Fatal(err)
				}
			}
			before, prepared := duckdb.TallyFallbacks.Load(), duckdb.TallyPrepared.Load()
			if _, err := w.LoadRecords(context.Background(), files); err != nil {
				t.Fatal(err)
			}
			if n := duckdb.TallyFallbacks.Load() - before; n != 0 {
				t.Errorf("%d batches counted by the SQL pass, want none", n)
			}
			want := int64(2)
			if replace {
				want = 1
			}
			if n := duckdb.TallyPrepared.Load() - prepared; n != want {
				t.Errorf("%d files' staged groups used, want %d", n, want)
			}
			compareWithSQL(t, w)
			q := `SELECT count(*) FROM synctrack.run_fingerprint_counts WHERE status_message LIKE 'bad %'`
			if n := scalar(t, w, q); (n > 0) != replace {
				t.Errorf("%d fingerprint rows of the replacing file's messages (replaced: %v)", n, replace)
			}
		})
	}
}

// The background grouping is one goroutine for the process, which never
// ends: it is locked to a thread of lowered priority, and a goroutine that
// ends locked ends its thread, killing any child started from that thread
// with a parent-death signal (it killed the tests' PostgreSQL server).
func TestBackgroundGroupingOutlivesItsLoads(t *testing.T) {
	for i := range 3 {
		dir := t.TempDir()
		key := runDir + "records_updated.0.parquet"
		writeParquet(t, dir, key, []stagedRow{{"1", "rejected", "no", time.Now()}})
		w := openDuck(t, filepath.Join(t.TempDir(), fmt.Sprintf("w%d.duckdb", i)))
		f := stage(t, w, dir, key)
		if !duckdb.WaitPrepared(f.Prepared) {
			t.Fatal("premise: the background never grouped a staged file")
		}
		w.Close()
	}
	time.Sleep(100 * time.Millisecond)
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	if n := strings.Count(stacks, "duckdb.groupAhead("); n != 1 {
		t.Errorf("%d background grouping goroutines after three warehouses came and went, want 1", n)
	}
}
