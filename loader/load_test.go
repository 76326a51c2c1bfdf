package loader_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// The seed's query (rejected identifiers grouped by message) over the raw files
// must equal the same question over sync_records, and every file's rows and
// timestamps must match what DuckDB reads from the file itself.
func TestLoadMatchesRawFiles(t *testing.T) {
	url, dir := generated(t, smallOptions())
	w := openWarehouse(t)
	rep := load(t, testbucket.Open(t, url), dir, w)
	if len(rep.Failed) > 0 {
		t.Fatalf("failures: %v", rep.Failed)
	}
	db := w.DB()
	raw := `read_parquet(` + rawGlob(dir) + `, union_by_name = true, filename = true)`

	seed := `SELECT status_message, list_sort(ARRAY_AGG(CAST(identifier AS VARCHAR))) FROM %s WHERE status = 'rejected' GROUP BY 1`
	sameRows(t, "seed rejection query",
		rows(t, db, sprintf(seed, "synctrack.sync_records")),
		rows(t, db, sprintf(seed, raw)))

	// Per file: row count and the instants of both timestamps, whatever their
	// unit (ms/us) or zone flag in the file.
	perFile := `SELECT %s, count(*), sum(epoch_us(batch_started_at)), sum(epoch_us(batch_ended_at)),
  count(DISTINCT status_message) FROM %s GROUP BY 1`
	sameRows(t, "per-file rows and timestamps",
		rows(t, db, sprintf(perFile, "'"+dir+"/' || _file", "synctrack.sync_records")),
		rows(t, db, sprintf(perFile, "filename", raw)))

	// Files without the sync id columns take them from their path.
	got := one(t, db, `SELECT count(*) FROM synctrack.sync_records
WHERE sync_configuration_id IS DISTINCT FROM split_part(_file, '/', 3)
   OR sync_run_id IS DISTINCT FROM split_part(_file, '/', 4) OR org_id IS DISTINCT FROM split_part(_file, '/', 2)`)
	if got != "0" {
		t.Fatalf("%s rows have ids that differ from their path", got)
	}
	legacy := one(t, db, `SELECT count(DISTINCT file_name) - count(DISTINCT file_name) FILTER (WHERE name = 'sync_run_id')
FROM parquet_schema(`+rawGlob(dir)+`)`)
	if legacy == "0" {
		t.Fatal("the generated bucket has no legacy file without sync_run_id: the path fallback went untested")
	}
	if n := one(t, db, `SELECT count(*) FROM synctrack.sync_records WHERE batch_number IS NULL`); n == "0" {
		t.Fatal("no rows from an unnumbered (old-shape) file name")
	}
	// Every run's metadata.json made a sync_runs row, and sync_log finds it.
	if n := one(t, db, `SELECT count(*) FROM synctrack.sync_log WHERE workspace_id IS NULL`); n != "0" {
		t.Fatalf("%s sync_log rows found no run metadata", n)
	}
	if a, b := one(t, db, `SELECT count(*) FROM synctrack.sync_log`), one(t, db, `SELECT count(*) FROM `+raw); a != b {
		t.Fatalf("sync_log has %s rows, the files %s", a, b)
	}
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// The same bucket loads the same rows from S3 (over its wire protocol), from
// mem:// and from a directory.
func TestLoadS3AndMem(t *testing.T) {
	o := smallOptions()
	_, dir := generated(t, o)
	for name, url := range map[string]string{"s3": testbucket.S3(t, "bkt"), "mem": "mem://"} {
		t.Run(name, func(t *testing.T) {
			b := testbucket.Open(t, url)
			if _, err := gen.Generate(context.Background(), b, o); err != nil {
				t.Fatalf("generate: %v", err)
			}
			w := openWarehouse(t)
			rep := load(t, b, "", w)
			if len(rep.Failed) > 0 {
				t.Fatalf("failures: %v", rep.Failed)
			}
			q := `SELECT _file, count(*), sum(hash(identifier, status, status_message, CAST(record_payload AS VARCHAR))) FROM %s GROUP BY 1`
			sameRows(t, "rows per file",
				rows(t, w.DB(), sprintf(q, "synctrack.sync_records")),
				rows(t, w.DB(), `SELECT replace(filename, '`+dir+`/', '') AS _file, count(*),
  sum(hash(CAST(identifier AS VARCHAR), status, status_message, CAST(record_payload AS VARCHAR)))
  FROM read_parquet(`+rawGlob(dir)+`, union_by_name = true, filename = true) GROUP BY 1`))
			if again := load(t, b, "", w); again.Files != 0 {
				t.Fatalf("second load loaded %d files", again.Files)
			}
		})
	}
}

// A file:// bucket whose folder went away (unmounted, moved) lists as
// empty: the load says so, as a transient error, instead of "nothing new"
// cycle after cycle; once the folder is back it loads.
func TestBucketFolderGone(t *testing.T) {
	url, dir := generated(t, smallOptions())
	w := openWarehouse(t)
	b := testbucket.Open(t, url)
	moved := dir + ".moved"
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	_, err := loader.New(b, dir, w, loader.Options{}).Load(context.Background())
	if reason, _ := warehouse.Explain(err); err == nil || reason != "bucket_gone" || warehouse.ClassOf(err) != warehouse.Transient {
		t.Fatalf("load of a bucket whose folder is gone: %v, want a transient bucket_gone", err)
	}
	if err := os.Rename(moved, dir); err != nil {
		t.Fatal(err)
	}
	if rep := load(t, b, dir, w); rep.Files == 0 {
		t.Fatalf("nothing loaded once the folder was back: %+v", rep)
	}
}

// A long listing tells how far it has got (here at every object), and the
// count once more as it ends, before records start loading.
func TestListingProgress(t *testing.T) {
	loader.SetListProgressEvery(t, 0)
	url, dir := generated(t, smallOptions())
	var got []loader.Progress
	o := loader.Options{BatchFiles: 7, Progress: func(p loader.Progress) { got = append(got, p) }}
	rep, err := loader.New(testbucket.Open(t, url), dir, openWarehouse(t), o).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for n < len(got) && got[n].Listing {
		if got[n].Listed != n+1 || got[n].FilesTotal != 0 {
			t.Fatalf("listing report %d: %+v, want %d objects listed and no files yet", n, got[n], n+1)
		}
		n++
	}
	if n == 0 || n != rep.Listed {
		t.Fatalf("%d listing reports, want one per object listed (%d)", n, rep.Listed)
	}
	if end := got[n]; end.Listing || end.Listed != rep.Listed || end.FilesTotal != 0 {
		t.Fatalf("report after the listing: %+v, want the listing's end with %d objects", end, rep.Listed)
	}
	if len(got) < n+2 || got[n+1].FilesTotal == 0 {
		t.Fatalf("no records progress after the listing: %+v", got[n+1:])
	}
}

// Progress is told once records start loading, before the first batch (a
// first batch staged from an object store can take minutes, and a terminal
// showed nothing until it committed), then after each batch, ending with
// every file done.
func TestProgressFromTheStart(t *testing.T) {
	url, dir := generated(t, smallOptions())
	var got []loader.Progress
	o := loader.Options{BatchFiles: 7, Progress: func(p loader.Progress) { got = append(got, p) }}
	if _, err := loader.New(testbucket.Open(t, url), dir, openWarehouse(t), o).Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) < 3 || got[0].FilesDone != 0 || got[0].FilesTotal == 0 {
		t.Fatalf("progress %+v: want a first report of 0 files done of all, then one per batch", got)
	}
	if last := got[len(got)-1]; last.FilesDone != last.FilesTotal || last.Rows == 0 {
		t.Errorf("last progress %+v: want every file done", last)
	}
}
