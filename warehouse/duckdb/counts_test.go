package duckdb_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// countsAgree is the invariant: per file, the counts sum to the file's rows,
// and the fingerprint counts to its rows that are not a success.
const countsAgree = `SELECT count(*) FROM (
  SELECT _file, count(*) AS n, count(*) FILTER (WHERE lower(status) IS DISTINCT FROM 'succeeded') AS failed
  FROM synctrack.sync_records GROUP BY _file) r
FULL JOIN (SELECT _file, sum(records) AS n FROM synctrack.run_outcome_counts GROUP BY _file) o USING (_file)
FULL JOIN (SELECT _file, sum(records) AS n FROM synctrack.run_fingerprint_counts GROUP BY _file) f USING (_file)
WHERE r.n IS DISTINCT FROM o.n OR coalesce(f.n, 0) <> coalesce(r.failed, 0)`

func openDuck(t testing.TB, path string) *duckdb.Warehouse {
	t.Helper()
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: duckdb.DefaultMemoryLimit}, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return w
}

func scalar(t *testing.T, w *duckdb.Warehouse, q string) int64 {
	t.Helper()
	var n int64
	if err := w.DB().QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func loadBucket(t *testing.T, w warehouse.Warehouse, url, dir string) *loader.Report {
	t.Helper()
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return rep
}

// A schema made before the counts tables gets them, filled from
// sync_records, when a load opens it; opening it again changes nothing; a
// backfill cut short (tables made, never filled) is done on the next open.
func TestCountsBackfill(t *testing.T) {
	url, dir := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 2, 2, 50
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, url), o); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "old.duckdb")
	w := openDuck(t, path)
	loadBucket(t, w, url, dir)
	want := scalar(t, w, `SELECT count(*) FROM synctrack.run_outcome_counts`)
	wantFP := scalar(t, w, `SELECT count(*) FROM synctrack.run_fingerprint_counts`)
	if want == 0 || wantFP == 0 {
		t.Fatalf("premise: a load wrote %d outcome and %d fingerprint counts", want, wantFP)
	}
	// The schema an earlier version made: no counts tables.
	for _, s := range []string{`DROP TABLE synctrack.run_outcome_counts`, `DROP TABLE synctrack.run_fingerprint_counts`} {
		if _, err := w.DB().Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()

	for i, prep := range []string{"", "DELETE FROM synctrack.run_outcome_counts", ""} {
		w = openDuck(t, path)
		if prep != "" { // the crash: tables there, the fill never committed
			if _, err := w.DB().Exec(prep); err != nil {
				t.Fatal(err)
			}
			w.Close()
			w = openDuck(t, path)
		}
		if n := scalar(t, w, `SELECT count(*) FROM synctrack.run_outcome_counts`); n != want {
			t.Errorf("open %d: %d outcome counts, want %d", i, n, want)
		}
		if n := scalar(t, w, `SELECT count(*) FROM synctrack.run_fingerprint_counts`); n != wantFP {
			t.Errorf("open %d: %d fingerprint counts, want %d", i, n, wantFP)
		}
		if n := scalar(t, w, countsAgree); n != 0 {
			t.Errorf("open %d: %d files whose counts disagree with their rows", i, n)
		}
		w.Close()
	}
	// Loads after the backfill keep them: a late file lands with its counts.
	w = openDuck(t, path)
	defer w.Close()
	if err := testbucket.Open(t, url).WriteAll(context.Background(), lateKey(t, dir), readFirst(t, dir), nil); err != nil {
		t.Fatal(err)
	}
	if rep := loadBucket(t, w, url, dir); rep.Files != 1 {
		t.Fatalf("loaded %d files, want the late one", rep.Files)
	}
	if n := scalar(t, w, countsAgree); n != 0 {
		t.Errorf("after a late file: %d files whose counts disagree with their rows", n)
	}
}

// Counts and rows commit together: when writing the counts fails, the
// batch's rows and ledger rows are not kept either, nor are they when the
// loader retries the batch's files one by one. Paused, the background
// groups none of the staged files, so the load's workers take them all, and
// a retry must group again what the failed try took.
func TestCountsRollBackWithRows(t *testing.T) {
	url, dir := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 1, 2, 20
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, url), o); err != nil {
		t.Fatal(err)
	}
	for _, paused := range []bool{false, true} {
		w := openDuck(t, filepath.Join(t.TempDir(), "crash.duckdb"))
		defer w.Close()
		// A table the fingerprint INSERT cannot write: every batch fails at its
		// last statement before the ledger.
		if _, err := w.DB().Exec(`ALTER TABLE synctrack.run_fingerprint_counts DROP COLUMN status_message`); err != nil {
			t.Fatal(err)
		}
		staged := duckdb.TallyPrepared.Load()
		if paused {
			defer duckdb.PauseBackground(w)()
		}
		_, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
		if err == nil {
			t.Fatalf("paused %v: load succeeded with an unwritable counts table", paused)
		}
		if n := duckdb.TallyPrepared.Load() - staged; paused && n == 0 {
			t.Errorf("premise: no staged file grouped by the load")
		}
		for _, q := range []string{`SELECT count(*) FROM synctrack.sync_records`, `SELECT count(*) FROM synctrack.run_outcome_counts`,
			`SELECT count(*) FROM synctrack.load_ledger WHERE kind = 'records' AND status = 'loaded'`} {
			if n := scalar(t, w, q); n != 0 {
				t.Errorf("paused %v: %s: %d, want 0: part of a failed batch was kept", paused, q, n)
			}
		}
	}
}

func readFirst(t *testing.T, dir string) []byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*", "*.parquet"))
	if len(files) == 0 {
		t.Fatal("no records file")
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lateKey(t *testing.T, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*", "*.parquet"))
	rel, err := filepath.Rel(dir, filepath.Join(filepath.Dir(files[0]), "records_updated.99.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(rel, string(filepath.Separator), "/")
}
