package daemon_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/warehouse"
)

// failViews fails a refresh of the typed views while fail is set, as a
// network error after the rows are committed does, and records each
// refresh's syncs.
type failViews struct {
	warehouse.Warehouse
	v *viewCalls
}

type viewCalls struct {
	mu    sync.Mutex
	fail  bool
	block string // blockViews: the sync whose view fails
	calls [][]string
}

func (w failViews) RefreshViews(ctx context.Context, syncs []string) error {
	w.v.mu.Lock()
	w.v.calls = append(w.v.calls, slices.Clone(syncs))
	fail := w.v.fail
	w.v.fail = false
	w.v.mu.Unlock()
	if fail {
		return &warehouse.Error{Class: warehouse.Transient, Reason: "connection", Err: errors.New("connection reset by peer")}
	}
	return w.Warehouse.RefreshViews(ctx, syncs)
}

// A new run names a new field, and the refresh of the typed views after its
// rows are committed fails. The cycle's retry finds no new file, yet
// rebuilds the views of the same sync: the new field gets its column, not
// when a later run of that sync comes.
func TestViewsRefreshFailedIsTriedAgain(t *testing.T) {
	f := newFixture(t)
	v := &viewCalls{}
	f.wrap = func(w warehouse.Warehouse, readOnly bool) warehouse.Warehouse {
		if readOnly {
			return w
		}
		return failViews{Warehouse: w, v: v}
	}
	f.start(daemon.Config{Retry: daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 3},
		Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 1h"}}})
	if c := f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" }); c.Err != nil {
		t.Fatalf("startup cycle: %v", c.Err)
	}
	v.mu.Lock()
	v.fail, v.calls = true, nil
	v.mu.Unlock()
	// The new run's metadata.json, naming a new field, goes first: a cycle
	// between the copies loads it with or without its records.
	var src string
	var raw []byte
	schema := []byte(`"record_payload_schema":{`)
	for _, r := range f.runFolders() {
		b, err := os.ReadFile(filepath.Join(f.dir, filepath.FromSlash(r), "metadata.json"))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, schema) {
			src, raw = r, bytes.Replace(b, schema, []byte(`"record_payload_schema":{"zz new field":"string",`), 1)
			break
		}
	}
	if src == "" {
		t.Fatal("no generated metadata.json has a record_payload_schema")
	}
	dst := path.Dir(strings.TrimSuffix(src, "/")) + "/9999001/"
	if err := f.bucket.WriteAll(context.Background(), dst+"metadata.json", raw, nil); err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(filepath.Join(f.dir, filepath.FromSlash(src)))
	for _, e := range files {
		if n := e.Name(); n != "metadata.json" && !strings.HasPrefix(n, ".") {
			f.copyObject(src+n, dst+n)
		}
	}
	// The cycle that loads the run ends after its retries.
	c := f.waitCycle("loading the new run", func(daemon.Cycle) bool {
		v.mu.Lock()
		defer v.mu.Unlock()
		return len(v.calls) > 0
	})
	f.shutdown()
	if c.Err != nil {
		t.Fatalf("the new run's cycle: %v", c.Err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.calls) != 2 || len(v.calls[0]) != 1 || !slices.Equal(v.calls[0], v.calls[1]) {
		t.Fatalf("refreshes: %v, want the failed one's sync refreshed again", v.calls)
	}
	if got := f.query(`SELECT column_name FROM synctrack.payload_columns WHERE sync_configuration_id = ? AND field_name = 'zz new field'`, v.calls[0][0]); len(got) != 1 {
		t.Errorf("the new field's column: %v, want one", got)
	}
}

// blockViews fails one sync's typed view for a cause of its own (a view of
// the user's on it) while block names it, and refreshes the others.
type blockViews struct {
	warehouse.Warehouse
	v *viewCalls
}

func (w blockViews) RefreshViews(ctx context.Context, syncs []string) error {
	w.v.mu.Lock()
	w.v.calls = append(w.v.calls, slices.Clone(syncs))
	block := w.v.block
	w.v.mu.Unlock()
	failed := warehouse.ViewErrors{}
	var rest []string
	for _, s := range syncs {
		if s == block {
			failed[s] = &warehouse.Error{Class: warehouse.Config, Reason: "dependents",
				Err: errors.New("cannot drop view sync_records_" + s + " because other objects depend on it")}
			continue
		}
		rest = append(rest, s)
	}
	if err := w.Warehouse.RefreshViews(ctx, rest); err != nil {
		return err
	}
	return failed.Err()
}

// One sync's typed view that fails for a cause of its own fails no cycle:
// the gauge counts it, and the next load (of a file that names no run)
// tries that view again; once it is rebuilt the gauge is 0.
func TestOwnViewFailureTriedWithEachLoad(t *testing.T) {
	f := newFixture(t)
	v := &viewCalls{}
	f.wrap = func(w warehouse.Warehouse, readOnly bool) warehouse.Warehouse {
		if readOnly {
			return w
		}
		return blockViews{Warehouse: w, v: v}
	}
	f.start(daemon.Config{Listen: "127.0.0.1:0", Retry: daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 3},
		Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 1h"}}})
	if c := f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" }); c.Err != nil {
		t.Fatalf("startup cycle: %v", c.Err)
	}
	gauge := func() string {
		_, body := get(t, "http://"+f.d.Addr()+"/metrics")
		m := regexp.MustCompile(`(?m)^synctrack_typed_views_failed\{target="default"\} (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return m[1]
	}
	src := f.runFolders()[0]
	sync := strings.Split(src, "/")[2]
	refreshedWith := func(s string) func(daemon.Cycle) bool {
		return func(daemon.Cycle) bool {
			v.mu.Lock()
			defer v.mu.Unlock()
			for _, c := range v.calls {
				if slices.Contains(c, s) {
					return true
				}
			}
			return false
		}
	}
	v.mu.Lock()
	v.block, v.calls = sync, nil
	v.mu.Unlock()
	keys := f.newRun(src, "9999002")
	if c := f.waitCycle("loading the new run", refreshedWith(sync)); c.Err != nil {
		t.Fatalf("a cycle whose one view failed for its own cause failed: %v", c.Err)
	}
	if got := gauge(); got != "1" {
		t.Errorf("synctrack_typed_views_failed %q, want 1", got)
	}
	if c, _ := f.d.LastCycle("default"); len(c.Views) != 1 || !strings.Contains(c.Views[sync], "other objects depend on it") {
		t.Errorf("the last cycle, for the web pages: views %v, want %s's with its cause", c.Views, sync)
	}

	// The user moves their view away; a records file alone (no run, so no
	// sync of its own to refresh) arrives, and its load tries the view again.
	v.mu.Lock()
	v.block, v.calls = "", nil
	v.mu.Unlock()
	var rec string
	for _, k := range keys {
		if strings.HasSuffix(k, ".parquet") {
			rec = k
		}
	}
	f.copyObject(rec, strings.TrimSuffix(rec, ".parquet")+".77.parquet")
	f.waitCycle("the next load", refreshedWith(sync))
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, _ := f.d.LastCycle("default")
		g := gauge()
		if g == "0" && len(c.Views) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the view was rebuilt: synctrack_typed_views_failed %q, want 0; the last cycle's views %v, want none", g, c.Views)
		}
		time.Sleep(50 * time.Millisecond)
	}
	f.shutdown()
}
