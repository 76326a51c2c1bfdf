package duckdb_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

type dictRow struct {
	Identifier string     `parquet:"identifier"`
	Status     *string    `parquet:"status,optional,dict"`
	Message    *string    `parquet:"status_message,optional,dict"`
	Started    *time.Time `parquet:"batch_started_at,optional,timestamp(microsecond)"`
	Ended      *time.Time `parquet:"batch_ended_at,optional,timestamp(millisecond)"`
	Sync       *string    `parquet:"sync_configuration_id,optional,dict"`
	Run        *string    `parquet:"sync_run_id,optional,dict"`
	Org        *string    `parquet:"org_id,optional,dict"`
}

type plainRow struct {
	Identifier string     `parquet:"identifier"`
	Status     *string    `parquet:"status,optional"`
	Message    *string    `parquet:"status_message,optional"`
	Started    *time.Time `parquet:"batch_started_at,optional,timestamp(microsecond)"`
	Ended      *time.Time `parquet:"batch_ended_at,optional,timestamp(millisecond)"`
	Sync       *string    `parquet:"sync_configuration_id,optional"`
	Run        *string    `parquet:"sync_run_id,optional"`
	Org        *string    `parquet:"org_id,optional"`
}

// The Go counts equal the SQL pass's over random files: dictionary and plain
// encodings, v1 and v2 pages, small pages and row groups, thousands of
// distinct and repeated messages (NUL bytes, quotes, non-ASCII), ids equal
// to messages, NULLs everywhere; four seeds of six files each.
func TestGoCountsMatchSQLRandom(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, seed*7))
			url, dir := testbucket.Dir(t)
			pick := func(p float64, f func() string) *string {
				if r.Float64() < p {
					return nil
				}
				s := f()
				return &s
			}
			statuses := []string{"succeeded", "rejected", "SUCCEEDED", "x", "", "rejected\x00", "Rejected"}
			ids := []string{"a", "b", "", "o1", "s9", "r2", "err 'a'", "e\x00z"}
			t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
			for fi := range 6 {
				n := 500 + r.IntN(3000)
				var drows []dictRow
				for i := range n {
					msg := pick(0.1, func() string {
						switch r.IntN(6) {
						case 0:
							return fmt.Sprintf("user %d 'v%d' at host%d.example.com", r.IntN(5000), r.IntN(50), r.IntN(9))
						case 1:
							return ids[r.IntN(len(ids))]
						case 2:
							return fmt.Sprintf("plain message %c", 'a'+rune(r.IntN(26)))
						case 3:
							return fmt.Sprintf("E%d", r.IntN(20000))
						case 4:
							return fmt.Sprintf("x@y%d.com and 'q' and 'r' %d", r.IntN(3000), r.IntN(3))
						}
						return fmt.Sprintf("nul\x00 %d 日本", r.IntN(4000))
					})
					st := pick(0.1, func() string { return statuses[r.IntN(len(statuses))] })
					var started, ended *time.Time
					if r.IntN(10) > 0 {
						v := t0.Add(time.Duration(r.IntN(4)) * time.Hour)
						started = &v
					}
					if r.IntN(10) > 0 {
						v := t0.Add(time.Duration(r.IntN(100000)) * time.Millisecond)
						ended = &v
					}
					drows = append(drows, dictRow{Identifier: fmt.Sprint(i), Status: st, Message: msg, Started: started, Ended: ended,
						Sync: pick(0.2, func() string { return ids[r.IntN(len(ids))] }),
						Run:  pick(0.2, func() string { return ids[r.IntN(len(ids))] }),
						Org:  pick(0.2, func() string { return ids[r.IntN(len(ids))] })})
				}
				key := fmt.Sprintf("sync_tracking_datasets/o1/s1/r%d/records_updated.%d.parquet", fi%2, fi)
				opts := []parquet.WriterOption{parquet.PageBufferSize(256 + r.IntN(2048)), parquet.MaxRowsPerRowGroup(int64(200 + r.IntN(2000)))}
				if fi%2 == 0 {
					opts = append(opts, parquet.DataPageVersion(1))
				}
				if fi%3 == 0 {
					var prows []plainRow
					for _, d := range drows {
						prows = append(prows, plainRow(d))
					}
					writeParquet(t, dir, key, prows, opts...)
				} else {
					writeParquet(t, dir, key, drows, opts...)
				}
			}
			// Grouped as the loader stages each file (prepare.go), and by
			// the load's own workers when nothing was prepared.
			for _, staged := range []bool{true, false} {
				w := openDuck(t, filepath.Join(t.TempDir(), "w.duckdb"))
				defer w.Close()
				var wh warehouse.Warehouse = w
				if !staged {
					wh = unprepared{w}
				}
				before, prepared := duckdb.TallyFallbacks.Load(), duckdb.TallyPrepared.Load()
				if rep := loadBucket(t, wh, url, dir); len(rep.Failed) > 0 {
					t.Fatalf("load failed: %+v", rep.Failed)
				}
				if n := duckdb.TallyFallbacks.Load() - before; n != 0 {
					t.Errorf("premise: %d fallbacks", n)
				}
				// Staged, a file the background is still on when the rows
				// are in is grouped again by the load: most, not all.
				if n := duckdb.TallyPrepared.Load() - prepared; (n > 0) != staged {
					t.Errorf("premise (staged %v): %d files grouped as staged", staged, n)
				}
				compareWithSQL(t, w)
			}
		})
	}
}

// unprepared is a DuckDB warehouse the loader hands no staged file to
// (it is no warehouse.RecordsPreparer): each load groups its files itself.
type unprepared struct{ *duckdb.Warehouse }

// PrepareRecords, of another signature, hides the Warehouse's.
func (unprepared) PrepareRecords() {}
