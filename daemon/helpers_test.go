package daemon_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gocloud.dev/blob"
	"gocloud.dev/pubsub"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
	"github.com/synctrack/synctrack/warehouse/engines"
)

// fixture is a generated bucket, a warehouse path, and a daemon over them.
type fixture struct {
	t      *testing.T
	url    string
	dir    string
	bucket *blob.Bucket
	db     string
	cycles chan daemon.Cycle
	d      *daemon.Daemon
	stop   context.CancelFunc
	done   chan error
	// locked makes opening the warehouse fail as DuckDB does when another
	// process holds the file.
	locked atomic.Bool
	// openSub opens --events subscriptions (events tests); reg gets the metrics.
	openSub func(ctx context.Context, url string) (*pubsub.Subscription, error)
	reg     *prometheus.Registry
	logger  *slog.Logger // the daemon's; none when nil
	// wrap, when set, stands in for the warehouse each open gives.
	wrap func(w warehouse.Warehouse, readOnly bool) warehouse.Warehouse
	// now, when set, is the daemon's clock.
	now func() time.Time
	// root gives the daemon the bucket's folder, as a file:// bucket
	// opened by synctrack run has.
	root bool
	// loader is the daemon's loader options (Deps.Loader).
	loader loader.Options
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	url, dir := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 2, 2, 20
	b := testbucket.Open(t, url)
	if _, err := gen.Generate(context.Background(), b, o); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, url: url, dir: dir, bucket: b, db: filepath.Join(t.TempDir(), "w.duckdb"),
		cycles: make(chan daemon.Cycle, 100)}
}

func openDuck(ctx context.Context, url string, _ *blob.Bucket, _ string, readOnly bool) (warehouse.Warehouse, error) {
	_, w, err := engines.Open(ctx, url, warehouse.Options{ReadOnly: readOnly})
	return w, err
}

// start runs a daemon with cfg's single target pointed at the fixture.
func (f *fixture) start(cfg daemon.Config) {
	f.t.Helper()
	cfg.Targets[0].Bucket, cfg.Targets[0].Warehouse = f.url, "duckdb://"+f.db
	deps := daemon.Deps{
		OpenBucket: func(ctx context.Context, u string) (*blob.Bucket, string, error) {
			b, err := blob.OpenBucket(ctx, u)
			if f.root {
				return b, f.dir, err
			}
			return b, "", err
		},
		OpenWarehouse: func(ctx context.Context, u string, b *blob.Bucket, bu string, ro bool) (warehouse.Warehouse, error) {
			if f.locked.Load() {
				return nil, &warehouse.Error{Class: warehouse.Transient, Reason: "locked", Err: errors.New("IO Error: Could not set lock on file")}
			}
			w, err := openDuck(ctx, u, b, bu, ro)
			if err == nil && f.wrap != nil {
				w = f.wrap(w, ro)
			}
			return w, err
		},
		OnCycle:          func(c daemon.Cycle) { f.cycles <- c },
		OpenSubscription: f.openSub,
		Registry:         f.reg,
		Logger:           f.logger,
		Now:              f.now,
		Loader:           f.loader,
	}
	d, err := daemon.New(context.Background(), cfg, deps)
	if err != nil {
		f.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.d, f.stop, f.done = d, cancel, make(chan error, 1)
	go func() { f.done <- d.Run(ctx) }()
	f.t.Cleanup(func() { f.shutdown() })
}

// shutdown stops the daemon and waits for Run to return.
func (f *fixture) shutdown() {
	if f.stop == nil {
		return
	}
	f.stop()
	if err := <-f.done; err != nil {
		f.t.Errorf("Run: %v", err)
	}
	f.stop = nil
}

// waitCycle waits for the next cycle that matches, failing after a long time
// (a hang, not a slow run: nothing here asserts on timing).
func (f *fixture) waitCycle(what string, match func(daemon.Cycle) bool) daemon.Cycle {
	f.t.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case c := <-f.cycles:
			if c.Err != nil {
				f.t.Logf("cycle %s: %v", c.Scope, c.Err)
			}
			if match(c) {
				return c
			}
		case <-deadline:
			f.t.Fatalf("no cycle %s", what)
		}
	}
}

func loadedKey(key string) func(daemon.Cycle) bool {
	return func(c daemon.Cycle) bool {
		for _, k := range c.Loaded {
			if k == key {
				return true
			}
		}
		return false
	}
}

// runFolders lists the generated run folders, sorted.
func (f *fixture) runFolders() []string {
	f.t.Helper()
	ms, _ := filepath.Glob(filepath.Join(f.dir, "sync_tracking_datasets", "*", "*", "*", "metadata.json"))
	var out []string
	for _, m := range ms {
		rel, _ := filepath.Rel(f.dir, filepath.Dir(m))
		out = append(out, filepath.ToSlash(rel)+"/")
	}
	sort.Strings(out)
	if len(out) < 2 {
		f.t.Fatalf("want 2+ run folders, got %v", out)
	}
	return out
}

// copyObject writes the object src again under dst, atomically (fileblob
// renames a finished temp file), and returns dst.
func (f *fixture) copyObject(src, dst string) string {
	f.t.Helper()
	raw, err := os.ReadFile(filepath.Join(f.dir, filepath.FromSlash(src)))
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.bucket.WriteAll(context.Background(), dst, raw, nil); err != nil {
		f.t.Fatal(err)
	}
	return dst
}

// newRun copies a run folder as a new run id and returns its keys.
func (f *fixture) newRun(src, runID string) []string {
	f.t.Helper()
	files, _ := os.ReadDir(filepath.Join(f.dir, filepath.FromSlash(src)))
	dst := path.Dir(strings.TrimSuffix(src, "/")) + "/" + runID + "/"
	var keys []string
	for _, e := range files {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		keys = append(keys, f.copyObject(src+e.Name(), dst+e.Name()))
	}
	return keys
}

// query opens the warehouse read-only (the daemon must have stopped or be idle)
// and returns the first column of each row.
func (f *fixture) query(q string, args ...any) []string {
	f.t.Helper()
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: f.db, Schema: "synctrack", MemoryLimit: "256MB", ReadOnly: true}, time.Now)
	if err != nil {
		f.t.Fatal(err)
	}
	defer w.Close()
	rs, err := w.DB().Query(q, args...)
	if err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var s sql.NullString
		if err := rs.Scan(&s); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, s.String)
	}
	return out
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// aParquet is the key of one records file in a run folder.
func (f *fixture) aParquet(folder string) string {
	f.t.Helper()
	ms, _ := filepath.Glob(filepath.Join(f.dir, filepath.FromSlash(folder), "*.parquet"))
	if len(ms) == 0 {
		f.t.Fatalf("no parquet file in %s", folder)
	}
	return folder + filepath.Base(ms[0])
}
