package loader_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/internal/tmpfs"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// fullDiskOptions is a bucket of 200 records files, 100,000 rows: 12 MB of
// parquet, about 18 MB once in DuckDB, more than the small disks below hold.
func fullDiskOptions() gen.Options {
	return gen.Options{Orgs: 1, SyncsPerOrg: 4, RunsPerSync: 5, FilesPerRun: 10, RowsPerFile: 500, Seed: 1, Facts: true}
}

func openDuckAt(t *testing.T, path string) *duckdb.Warehouse {
	t.Helper()
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "256MB"}, time.Now)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return w
}

// stoppedByFullDisk checks a load that a full disk stopped: Resource,
// disk_full, no object blamed.
func stoppedByFullDisk(t *testing.T, rep *loader.Report, err error) {
	t.Helper()
	if rep != nil && len(rep.Failed) > 0 {
		t.Fatalf("a full disk blamed %d objects, first %s: %v", len(rep.Failed), rep.Failed[0].Key, rep.Failed[0].Err)
	}
	if reason, _ := warehouse.Explain(err); warehouse.ClassOf(err) != warehouse.Resource || reason != "disk_full" {
		t.Fatalf("load on a full disk ended with %s/%s, want resource/disk_full: %v", warehouse.ClassOf(err), reason, err)
	}
}

// The warehouse file on a disk that fills up mid-load: the load stops with a
// Resource error (disk_full) and blames no object (before errors had classes
// a full disk failed 806 objects); once the disk has room, the next load
// loads every file exactly once. In batches of 20 files the disk fills while
// DuckDB commits one to its WAL; in one batch of all 200, while it
// checkpoints that batch into the database file.
func TestDiskFullWarehouse(t *testing.T) {
	for _, batch := range []int{20, 0} {
		t.Run(fmt.Sprintf("batch_files_%d", batch), func(t *testing.T) { diskFullWarehouse(t, batch) })
	}
}

func diskFullWarehouse(t *testing.T, batchFiles int) {
	disk := tmpfs.Mount(t, "8m")
	url, root := generated(t, fullDiskOptions())
	b := testbucket.Open(t, url)
	c := contentsOf(t, b)
	path := filepath.Join(disk, "w.duckdb")
	o := loader.Options{BatchFiles: batchFiles}

	w := openDuckAt(t, path)
	rep, err := loader.New(b, root, w, o).Load(context.Background())
	w.Close() // DuckDB refuses every statement after a failed write, until opened again
	stoppedByFullDisk(t, rep, err)
	stopped := err

	tmpfs.Resize(t, disk, "64m")
	w = openDuckAt(t, path)
	defer w.Close()
	onlyLoaded(t, w.DB())
	before := c.tally(t, w.DB())
	if before.duplicated != 0 || before.files == int64(len(c.records)) {
		t.Fatalf("after the full disk: %d of %d records files in, %d rows duplicated; want fewer, none twice",
			before.files, len(c.records), before.duplicated)
	}
	rep, err = loader.New(b, root, w, o).Load(context.Background())
	if err != nil || len(rep.Failed) > 0 {
		t.Fatalf("load once the disk has room: %v %v", err, rep.Failed)
	}
	after := c.exactlyOnce(t, w.DB())
	t.Logf("8 MB disk: stopped %s after %d of %d records files (%v); 64 MB: %d files loaded, %d records files in all, lost %d, duplicated %d",
		err0(stopped), before.files, len(c.records), stopped, rep.Files, after.files, after.lost, after.duplicated)
}

// The staging directory (--stage-dir) of a remote bucket on a disk that
// fills up: Resource, nothing blamed, no partial download left behind; with
// room, the next load loads every file exactly once.
func TestDiskFullStaging(t *testing.T) {
	disk := tmpfs.Mount(t, "4m")
	b := testbucket.Open(t, testbucket.S3(t, "bkt"))
	if _, err := gen.Generate(context.Background(), b, fullDiskOptions()); err != nil {
		t.Fatal(err)
	}
	c := contentsOf(t, b)
	w := openWarehouse(t)

	rep, err := loader.New(b, "", w, loader.Options{StageDir: disk}).Load(context.Background())
	stoppedByFullDisk(t, rep, err)
	onlyLoaded(t, w.DB())
	if left, _ := os.ReadDir(disk); len(left) > 0 {
		t.Fatalf("%d staged files left on the full disk, first %s", len(left), left[0].Name())
	}
	if n := c.tally(t, w.DB()); n.duplicated != 0 {
		t.Fatalf("after the full staging disk: %d rows duplicated", n.duplicated)
	}

	rep, err = loader.New(b, "", w, loader.Options{StageDir: t.TempDir()}).Load(context.Background())
	if err != nil || len(rep.Failed) > 0 {
		t.Fatalf("load with room to stage: %v %v", err, rep.Failed)
	}
	after := c.exactlyOnce(t, w.DB())
	t.Logf("4 MB staging disk: stopped with nothing blamed; then %d files loaded, lost %d, duplicated %d", rep.Files, after.lost, after.duplicated)
}

func err0(err error) string {
	reason, _ := warehouse.Explain(err)
	return warehouse.ClassOf(err).String() + "/" + reason
}

// A file with bytes that are not UTF-8, whose repaired copy cannot be
// written because the staging directory's disk is full: the load stops on
// the disk (Resource), not on the file (it was counted bad text, failed,
// and in the end quarantined for the machine's fault); with room, the next
// load repairs and loads it.
func TestDiskFullRepair(t *testing.T) {
	disk := tmpfs.Mount(t, "1m")
	url, dir := generated(t, smallOptions())
	key := writeTextRows(t, dir, []textRow{{"ok-1", "succeeded", ""}, {"bad\xff-2", "rejected", "caf\xe9"}})
	fill, err := os.Create(filepath.Join(disk, "fill"))
	if err != nil {
		t.Fatal(err)
	}
	for _, err := fill.Write(make([]byte, 64<<10)); err == nil; _, err = fill.Write(make([]byte, 4<<10)) {
	}
	fill.Close()
	w := openWarehouse(t)
	b := testbucket.Open(t, url)
	o := loader.Options{BatchFiles: 7, StageDir: disk}
	rep, err := loader.New(b, dir, w, o).Load(context.Background())
	stoppedByFullDisk(t, rep, err)
	if n := one(t, w.DB(), `SELECT count(*) FROM synctrack.load_ledger WHERE key = ? AND status <> 'loaded'`, key); n != "0" {
		t.Fatalf("the file was marked %s times as not loaded for the full disk", n)
	}
	if err := os.Remove(filepath.Join(disk, "fill")); err != nil {
		t.Fatal(err)
	}
	rep, err = loader.New(b, dir, w, o).Load(context.Background())
	if err != nil || len(rep.Failed) > 0 {
		t.Fatalf("load with room: %v %v", err, rep.Failed)
	}
	if note := one(t, w.DB(), `SELECT status || ' ' || error FROM synctrack.load_ledger WHERE key = ?`, key); !strings.HasPrefix(note, "loaded repaired 2 string values") {
		t.Fatalf("ledger after the disk had room: %q", note)
	}
}
