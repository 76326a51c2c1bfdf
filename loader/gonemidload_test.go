package loader_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// deleting removes path just before its first LoadRecords call: the file
// was listed and its footer read, and is gone when the engine reads it.
type deleting struct {
	*duckdb.Warehouse
	path string
}

func (d *deleting) LoadRecords(ctx context.Context, fs []warehouse.File) (warehouse.Loaded, error) {
	if d.path != "" {
		if err := os.Remove(d.path); err != nil {
			return warehouse.Loaded{}, err
		}
		d.path = ""
	}
	return d.Warehouse.LoadRecords(ctx, fs)
}

// A file:// bucket's records file deleted after the stager read its footer
// and before DuckDB read it is gone, not bad: left for the next load, as
// one deleted before its footer was read. DuckDB's "No files found that
// match the pattern" failed it, named, and the load exited 1.
func TestFileGoneBeforeTheEngineReadsIt(t *testing.T) {
	url, dir := generated(t, smallOptions())
	victim := findRecords(t, dir)[0]
	key, _ := filepath.Rel(dir, victim)
	key = filepath.ToSlash(key)
	w := &deleting{Warehouse: openWarehouse(t), path: victim}
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 7}).Load(context.Background())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if len(rep.Failed) != 0 {
		t.Fatalf("failed %v, want none: the file was deleted, not bad", rep.Failed)
	}
	db := w.DB()
	if n := one(t, db, `SELECT count(*) FROM synctrack.load_ledger WHERE key = ?`, key); n != "0" {
		t.Errorf("the deleted file has %s ledger rows, want none", n)
	}
	if n := one(t, db, `SELECT count(*) FROM synctrack.load_ledger WHERE status <> 'loaded'`); n != "0" {
		t.Errorf("%s ledger rows not loaded, want none", n)
	}
	if rep.Files == 0 {
		t.Errorf("nothing loaded: the rest of the batch should")
	}
}

// moving moves the bucket's folder away in its step: after the listing,
// before the records files are staged (runs), or after they were staged,
// before DuckDB reads them (records).
type moving struct {
	*duckdb.Warehouse
	dir, step string
}

func (m *moving) move(step string) error {
	if m.step != step {
		return nil
	}
	m.step = ""
	return os.Rename(m.dir, m.dir+".moved")
}

func (m *moving) LoadRuns(ctx context.Context, rs []warehouse.Run) error {
	if err := m.move("runs"); err != nil {
		return err
	}
	return m.Warehouse.LoadRuns(ctx, rs)
}

func (m *moving) LoadRecords(ctx context.Context, fs []warehouse.File) (warehouse.Loaded, error) {
	if err := m.move("records"); err != nil {
		return warehouse.Loaded{}, err
	}
	return m.Warehouse.LoadRecords(ctx, fs)
}

// A file:// bucket's folder gone mid-load (unmounted, moved) is the bucket
// gone, as a daemon's cycle says (transient, bucket_gone): its files are
// neither failed nor taken as deleted one by one, and the load does not end
// as if it had loaded everything.
func TestBucketFolderGoneMidLoad(t *testing.T) {
	for _, step := range []string{"runs", "records"} {
		t.Run(step, func(t *testing.T) {
			url, dir := generated(t, smallOptions())
			w := &moving{Warehouse: openWarehouse(t), dir: dir, step: step}
			defer os.Rename(dir+".moved", dir) // for t.TempDir's removal
			rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 7}).Load(context.Background())
			if len(rep.Failed) != 0 {
				t.Fatalf("failed %v, want none", rep.Failed)
			}
			if reason, _ := warehouse.Explain(err); warehouse.ClassOf(err) != warehouse.Transient || reason != "bucket_gone" {
				t.Fatalf("load: %v (reason %q), want transient bucket_gone", err, reason)
			}
		})
	}
}

// beforeRuns calls do once, as the runs are loaded: after the listing,
// before the records files are looked at.
type beforeRuns struct {
	*duckdb.Warehouse
	do func() error
}

func (b *beforeRuns) LoadRuns(ctx context.Context, rs []warehouse.Run) error {
	if do := b.do; do != nil {
		b.do = nil
		if err := do(); err != nil {
			return err
		}
	}
	return b.Warehouse.LoadRuns(ctx, rs)
}

// A zero-byte records file is refused from the listing's size, before any
// read: it was failed as empty (and quarantined after a few loads) though
// its folder had gone since the listing (moved, unmounted), or the file
// itself. Now the folder gone stops the load blaming none, as for the
// other files, and the file deleted is left for the next load.
func TestEmptyFileGoneMidLoad(t *testing.T) {
	for _, what := range []string{"folder", "file"} {
		t.Run(what, func(t *testing.T) {
			url, dir := generated(t, smallOptions())
			empty := filepath.Join(filepath.Dir(findRecords(t, dir)[0]), "records_updated.97.parquet")
			if err := os.WriteFile(empty, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			w := &beforeRuns{Warehouse: openWarehouse(t), do: func() error { return os.Remove(empty) }}
			if what == "folder" {
				w.do = func() error { return os.Rename(dir, dir+".moved") }
				defer os.Rename(dir+".moved", dir) // for t.TempDir's removal
			}
			rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 7}).Load(context.Background())
			if len(rep.Failed) != 0 {
				t.Fatalf("failed %d objects, first %s: %v; want none", len(rep.Failed), rep.Failed[0].Key, rep.Failed[0].Err)
			}
			reason, _ := warehouse.Explain(err)
			switch {
			case what == "folder" && (warehouse.ClassOf(err) != warehouse.Transient || reason != "bucket_gone"):
				t.Fatalf("load: %v (reason %q), want transient bucket_gone", err, reason)
			case what == "file" && err != nil:
				t.Fatalf("load: %v, want the deleted file left for the next load", err)
			}
			if n := one(t, w.DB(), `SELECT count(*) FROM synctrack.load_ledger WHERE status <> 'loaded'`); n != "0" {
				t.Errorf("%s objects recorded as not loaded, want none", n)
			}
		})
	}
}
