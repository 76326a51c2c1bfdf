package loader_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/internal/unprivileged"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// closing takes every permission off folder once, in its step: after the
// listing, before the records files are staged (runs), or after they were
// staged, before DuckDB reads them (records).
type closing struct {
	*duckdb.Warehouse
	folder, step string
}

func (c *closing) close(step string) error {
	if c.step != step {
		return nil
	}
	c.step = ""
	return os.Chmod(c.folder, 0)
}

func (c *closing) LoadRuns(ctx context.Context, rs []warehouse.Run) error {
	if err := c.close("runs"); err != nil {
		return err
	}
	return c.Warehouse.LoadRuns(ctx, rs)
}

func (c *closing) LoadRecords(ctx context.Context, fs []warehouse.File) (warehouse.Loaded, error) {
	if err := c.close("records"); err != nil {
		return warehouse.Loaded{}, err
	}
	return c.Warehouse.LoadRecords(ctx, fs)
}

// A run folder the user may no longer search once it was listed (its mode
// changed mid-load) stops the load with a config error, blaming none of
// its files. They failed, each of them, exit 1: as links that cannot be
// followed (staged after the change), or on DuckDB's "No files found"
// (staged before it).
func TestFolderClosedMidLoadBlamesNone(t *testing.T) {
	if unprivileged.Ran(t) {
		return
	}
	for _, step := range []string{"runs", "records"} {
		t.Run(step, func(t *testing.T) {
			url, dir := generated(t, smallOptions())
			run := filepath.Dir(findRecords(t, dir)[0])
			defer os.Chmod(run, 0o755) // for t.TempDir's removal
			w := &closing{Warehouse: openWarehouse(t), folder: run, step: step}
			ld := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 1000})
			rep, err := ld.Load(context.Background())
			if len(rep.Failed) != 0 {
				t.Fatalf("failed %d objects, first %s: %v; want none", len(rep.Failed), rep.Failed[0].Key, rep.Failed[0].Err)
			}
			if warehouse.ClassOf(err) != warehouse.Config || !strings.Contains(err.Error(), filepath.Base(run)) {
				t.Fatalf("load: %v; want a config error naming the folder %s", err, filepath.Base(run))
			}
			db := w.DB()
			// Found at staging (runs), the permission error stops the load
			// there, as a file it may not read does: the batch is not loaded.
			if n := one(t, db, `SELECT count(*) FROM synctrack.sync_records`); step == "runs" && n != "0" {
				t.Errorf("%s records rows loaded after the staging error, want none", n)
			}
			if n := one(t, db, `SELECT count(*) FROM synctrack.load_ledger WHERE status <> 'loaded'`); n != "0" {
				t.Errorf("%s objects recorded as not loaded, want none", n)
			}
			if err := os.Chmod(run, 0o755); err != nil {
				t.Fatal(err)
			}
			rep, err = ld.Load(context.Background())
			if err != nil || len(rep.Failed) != 0 {
				t.Fatalf("load once the folder is back: failed %v, %v", rep.Failed, err)
			}
		})
	}
}

// A zero-byte records file of a run folder the user may no longer search
// (its mode changed after the listing) is not failed as empty: the load
// stops with the permission error, as for the folder's other files.
func TestEmptyFileOfAFolderClosedMidLoad(t *testing.T) {
	if unprivileged.Ran(t) {
		return
	}
	url, dir := generated(t, smallOptions())
	run := filepath.Dir(findRecords(t, dir)[0])
	if err := os.WriteFile(filepath.Join(run, "records_updated.97.parquet"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(run, 0o755) // for t.TempDir's removal
	w := &beforeRuns{Warehouse: openWarehouse(t), do: func() error { return os.Chmod(run, 0) }}
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 1000}).Load(context.Background())
	if len(rep.Failed) != 0 {
		t.Fatalf("failed %d objects, first %s: %v; want none", len(rep.Failed), rep.Failed[0].Key, rep.Failed[0].Err)
	}
	if warehouse.ClassOf(err) != warehouse.Config || !strings.Contains(err.Error(), filepath.Base(run)) {
		t.Fatalf("load: %v; want a config error naming the folder %s", err, filepath.Base(run))
	}
	if n := one(t, w.DB(), `SELECT count(*) FROM synctrack.load_ledger WHERE status <> 'loaded'`); n != "0" {
		t.Errorf("%s objects recorded as not loaded, want none", n)
	}
}

// A link in the bucket whose target is in a folder the user may not search
// is the link's fault, not the machine's: it fails alone and the rest
// loads (a bucket's content must not stop every load).
func TestLinkIntoAClosedFolderFailsAlone(t *testing.T) {
	if unprivileged.Ran(t) {
		return
	}
	url, dir := generated(t, smallOptions())
	records := findRecords(t, dir)
	closed := filepath.Join(t.TempDir(), "closed")
	if err := os.Mkdir(closed, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, records[0], filepath.Join(closed, "x.parquet"))
	if err := os.Chmod(closed, 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(closed, 0o755) // for t.TempDir's removal
	link := filepath.Join(filepath.Dir(records[0]), "records_updated.97.parquet")
	if err := os.Symlink(filepath.Join(closed, "x.parquet"), link); err != nil {
		t.Fatal(err)
	}
	rep := load(t, testbucket.Open(t, url), dir, openWarehouse(t))
	if len(rep.Failed) != 1 || filepath.Base(rep.Failed[0].Key) != "records_updated.97.parquet" {
		t.Fatalf("failed %v, want the link alone", rep.Failed)
	}
}

// closingFacts takes every permission off folder before its first fact
// rebuild.
type closingFacts struct {
	*duckdb.Warehouse
	folder string
}

func (c *closingFacts) ReplaceFacts(ctx context.Context, table string, fs []warehouse.File, keep warehouse.FactsKept) error {
	if c.folder != "" {
		if err := os.Chmod(c.folder, 0); err != nil {
			return err
		}
		c.folder = ""
	}
	return c.Warehouse.ReplaceFacts(ctx, table, fs, keep)
}

// A fact file loaded before, whose folder is closed when its table is
// rebuilt for another org's changed file, is not failed: DuckDB's "No
// files found" failed it as bad data. The load stops with the permission
// error; once the folder is open again the table has both orgs' rows.
func TestFactFolderClosedMidLoadKeepsRows(t *testing.T) {
	if unprivileged.Ran(t) {
		return
	}
	url, dir := generated(t, smallOptions())
	w := openWarehouse(t)
	db := w.DB()
	ld := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 7})
	ctx := context.Background()
	if _, err := ld.Load(ctx); err != nil {
		t.Fatal(err)
	}
	byFile := `SELECT _file, count(*) FROM synctrack.destinations GROUP BY 1`
	before := rows(t, db, byFile)
	if len(before) != 2 {
		t.Fatalf("premise: two orgs' destinations files, got %v", before)
	}
	// A new version of org 1001's file; org 1002's folder closes.
	changed := filepath.Join(dir, "metadata", "1001", "destinations.parquet")
	copyFile(t, changed, changed+".tmp")
	if err := os.Rename(changed+".tmp", changed); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(changed, time.Now().Add(-time.Hour), time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	closed := filepath.Join(dir, "metadata", "1002")
	defer os.Chmod(closed, 0o755) // for t.TempDir's removal
	cw := &closingFacts{Warehouse: w, folder: closed}
	rep, err := loader.New(testbucket.Open(t, url), dir, cw, loader.Options{BatchFiles: 7}).Load(ctx)
	if len(rep.Failed) != 0 || warehouse.ClassOf(err) != warehouse.Config {
		t.Fatalf("load with 1002's folder closed: failed %v, %v; want a config error, none failed", rep.Failed, err)
	}
	if err := os.Chmod(closed, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := ld.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, db, byFile); !slices.Equal(got, before) {
		t.Fatalf("destinations by file: %v, want %v", got, before)
	}
}
