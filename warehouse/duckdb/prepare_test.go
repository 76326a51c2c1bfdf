package duckdb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// A file's counts grouped as it was staged are used only if the INSERT
// read that same file: one replaced between staging and its load is
// grouped again, and its counts are those of the rows stored.
func TestGoCountsFileReplacedAfterStaging(t *testing.T) {
	type row struct {
		Identifier string    `parquet:"identifier"`
		Status     string    `parquet:"status"`
		Message    string    `parquet:"status_message"`
		Started    time.Time `parquet:"batch_started_at,timestamp(microsecond)"`
	}
	var rows, other []row
	for i := range 200 {
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		rows = append(rows, row{fmt.Sprint(i), "rejected", fmt.Sprintf("no %d", i%5), at})
		other = append(other, row{fmt.Sprint(i), "rejected", fmt.Sprintf("bad %d", i%7), at.Add(time.Hour)})
	}
	for _, replace := range []bool{false, true} {
		t.Run(fmt.Sprint("replaced=", replace), func(t *testing.T) {
			dir, spare := t.TempDir(), t.TempDir()
			key := runDir + "records_updated.0.parquet"
			writeParquet(t, dir, key, rows)
			writeParquet(t, spare, "other.parquet", other)
			w := openDuck(t, filepath.Join(t.TempDir(), "w.duckdb"))
			defer w.Close()

			// What the stager does: the footer read, the file handed over.
			f := warehouse.File{Object: warehouse.Object{Key: key, Kind: warehouse.KindRecords, OrgID: "o1", SyncID: "s1", RunID: "r1"},
				Local: filepath.Join(dir, filepath.FromSlash(key))}
			fh, err := os.Open(f.Local)
			if err != nil {
				t.Fatal(err)
			}
			st, _ := fh.Stat()
			pf, err := parquet.OpenFile(fh, st.Size())
			if err != nil {
				t.Fatal(err)
			}
			f.Rows = pf.NumRows()
			for _, c := range pf.Schema().Fields() {
				f.Columns = append(f.Columns, c.Name())
			}
			f.Prepared = w.PrepareRecords(f, pf, st)
			fh.Close()
			if f.Prepared == nil {
				t.Fatal("premise: nothing prepared")
			}
			if replace {
				if err := os.Rename(filepath.Join(spare, "other.parquet"), f.Local); err != nil {
					t.Fatal(err)
				}
			}
			before, prepared := duckdb.TallyFallbacks.Load(), duckdb.TallyPrepared.Load()
			if _, err := w.LoadRecords(context.Background(), []warehouse.File{f}); err != nil {
				t.Fatal(err)
			}
			if n := duckdb.TallyFallbacks.Load() - before; n != 0 {
				t.Errorf("%d batches counted by the SQL pass, want none", n)
			}
			want := int64(1)
			if replace {
				want = 0
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
