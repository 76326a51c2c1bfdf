package duckdb

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/internal/cputime"
	"github.com/synctrack/synctrack/warehouse"
)

// TestTallyCost times the Go grouping of the counts (tallyBatch, a
// goroutine per core) over the records files of a generated bucket, as one
// batch, ten times in one process, and logs its elapsed time and process
// CPU. Not a check: a measurement for BENCHMARKS.md ("The counts on a quiet
// machine"), with go test -cpuprofile to see where the time goes.
//
//	synctrack generate --out /tmp/b --orgs 1 --syncs 2 --runs 4 --files 5 --rows 50000
//	SYNCTRACK_TALLY_BENCH_BUCKET=/tmp/b go test ./warehouse/duckdb -run TestTallyCost -v
func TestTallyCost(t *testing.T) {
	dir := os.Getenv("SYNCTRACK_TALLY_BENCH_BUCKET")
	if dir == "" {
		t.Skip("set SYNCTRACK_TALLY_BENCH_BUCKET to a bucket synctrack generate wrote")
	}
	var files []warehouse.File
	err := filepath.Walk(filepath.Join(dir, "sync_tracking_datasets"), func(p string, info os.FileInfo, err error) error {
		if err != nil || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		fh, err := os.Open(p)
		if err != nil {
			return err
		}
		defer fh.Close()
		pf, err := parquet.OpenFile(fh, info.Size())
		if err != nil {
			return err
		}
		f := warehouse.File{Local: p, Rows: pf.NumRows()}
		f.Key, f.OrgID = p, "1"
		files = append(files, f)
		return nil
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("no records files under %s: %v", dir, err)
	}
	var wall, cpu []time.Duration
	for range 10 {
		c, s := cputime.Process(), time.Now()
		if r := tallyBatch(files, nil, runtime.GOMAXPROCS(0)); r.err != nil {
			t.Fatal(r.err)
		}
		wall, cpu = append(wall, time.Since(s)), append(cpu, cputime.Process()-c)
	}
	slices.Sort(wall)
	slices.Sort(cpu)
	t.Logf("%d files: elapsed %v, CPU %v (medians of 10; elapsed %v-%v)", len(files), wall[5], cpu[5], wall[0], wall[9])
}
