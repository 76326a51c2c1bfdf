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
	"sync/atomic"
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
	failN int    // blockViews: refreshes to fail as a whole first
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
// the user's on it) while block names it, and refreshes the others. It keeps
// the run states, so the quiet sweep is due only as the daemon schedules it.
type blockViews struct {
	warehouse.Warehouse
	warehouse.RunStates
	v *viewCalls
}

func (w blockViews) RefreshViews(ctx context.Context, syncs []string) error {
	w.v.mu.Lock()
	w.v.calls = append(w.v.calls, slices.Clone(syncs))
	block := w.v.block
	whole := w.v.failN > 0
	if whole {
		w.v.failN--
	}
	w.v.mu.Unlock()
	if whole {
		return &warehouse.Error{Class: warehouse.Transient, Reason: "connection", Err: errors.New("connection reset by peer")}
	}
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
// the gauge counts it, a cycle that fails for another cause leaves it
// counted, the next load (of a file that names no run) tries that view
// again, and so does an idle daemon after viewsRetryEvery: once it is
// rebuilt the gauge is 0.
func TestOwnViewFailureTriedWithEachLoad(t *testing.T) {
	f := newFixture(t)
	v := &viewCalls{}
	f.wrap = func(w warehouse.Warehouse, readOnly bool) warehouse.Warehouse {
		if readOnly {
			return w
		}
		return blockViews{Warehouse: w, RunStates: w.(warehouse.RunStates), v: v}
	}
	var skew atomic.Int64
	f.now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	f.start(daemon.Config{Listen: "127.0.0.1:0", Retry: daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 3},
		Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 1h",
			QuietPeriod: 24 * time.Hour}}}) // no sweep is due in the idle cycles below
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

	// A records file alone (no run, so no sync of its own to refresh)
	// arrives, and its load tries the view again, but the refresh fails as a
	// whole on every try: the cycle fails, and the view is still counted.
	v.mu.Lock()
	v.failN, v.calls = 3, nil
	v.mu.Unlock()
	var rec string
	for _, k := range keys {
		if strings.HasSuffix(k, ".parquet") {
			rec = k
		}
	}
	f.copyObject(rec, strings.TrimSuffix(rec, ".parquet")+".77.parquet")
	if c := f.waitCycle("a load whose refresh fails", refreshedWith(sync)); c.Err == nil {
		t.Fatal("the cycle whose every refresh failed succeeded")
	}
	if got := gauge(); got != "1" {
		t.Errorf("after an unrelated failure: synctrack_typed_views_failed %q, want still 1", got)
	}
	if c, _ := f.d.LastCycle("default"); len(c.Views) != 1 {
		t.Errorf("after an unrelated failure: the last cycle's views %v, want still the one", c.Views)
	}
	// Its retry (next cycle) rebuilds the others and fails the same view.
	v.mu.Lock()
	v.calls = nil
	v.mu.Unlock()
	f.waitCycle("the retry", refreshedWith(sync))

	// The user moves their view away; nothing new arrives, and the idle
	// daemon tries the view again once viewsRetryEvery has passed.
	v.mu.Lock()
	v.block, v.calls = "", nil
	v.mu.Unlock()
	skew.Store(int64(11 * time.Minute))
	f.waitCycle("an idle retry", refreshedWith(sync))
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

// A sync's typed view that failed for a cause of its own is found again
// after a restart: the first cycle that writes rebuilds every loaded sync's
// view, though nothing new arrived. Before, the restarted daemon forgot it
// (no gauge, no page) until the next run of that sync came.
func TestViewFailureFoundAgainAfterRestart(t *testing.T) {
	f := newFixture(t)
	sync := strings.Split(f.runFolders()[0], "/")[2]
	v := &viewCalls{block: sync}
	f.wrap = func(w warehouse.Warehouse, readOnly bool) warehouse.Warehouse {
		if readOnly {
			return w
		}
		return blockViews{Warehouse: w, RunStates: w.(warehouse.RunStates), v: v}
	}
	cfg := func() daemon.Config {
		return daemon.Config{Retry: daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 3},
			Targets: []daemon.Target{{Schedule: "@every 1h", FactsSchedule: "@every 1h", QuietPeriod: 24 * time.Hour}}}
	}
	for round := 1; round <= 2; round++ {
		v.mu.Lock()
		v.calls = nil
		v.mu.Unlock()
		f.start(cfg())
		c := f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" })
		if c.Err != nil {
			t.Fatalf("start %d: startup cycle: %v", round, c.Err)
		}
		if round == 2 && len(c.Loaded) != 0 {
			t.Fatalf("start %d: loaded %v, want nothing new", round, c.Loaded)
		}
		last, _ := f.d.LastCycle("default")
		if len(last.Views) != 1 || !strings.Contains(last.Views[sync], "other objects depend on it") {
			t.Errorf("start %d: the views not rebuilt %v, want %s's with its cause", round, last.Views, sync)
		}
		v.mu.Lock()
		var refreshed []string
		for _, c := range v.calls {
			refreshed = append(refreshed, c...)
		}
		v.mu.Unlock()
		slices.Sort(refreshed)
		if want := f.query(`SELECT DISTINCT sync_configuration_id FROM synctrack.sync_runs ORDER BY 1`); !slices.Equal(slices.Compact(refreshed), want) {
			t.Errorf("start %d: refreshed %v, want every loaded sync %v", round, refreshed, want)
		}
		f.shutdown()
	}
}

// failListing fails the listing of the loaded syncs while fail is set.
type failListing struct {
	blockViews
	fail *atomic.Bool
}

func (w failListing) Query(ctx context.Context, q string, args []warehouse.Arg) (warehouse.Rows, error) {
	if strings.Contains(q, "DISTINCT sync_configuration_id") && w.fail.Swap(false) {
		return nil, errors.New("listing refused")
	}
	return w.blockViews.Query(ctx, q, args)
}

// A restarted daemon whose listing of the loaded syncs fails at start
// tries it again once idle (found by a review: the idle path never did).
func TestViewsAtStartListedAgainWhenIdle(t *testing.T) {
	f := newFixture(t)
	sync := strings.Split(f.runFolders()[0], "/")[2]
	v := &viewCalls{block: sync}
	var fail atomic.Bool
	f.wrap = func(w warehouse.Warehouse, readOnly bool) warehouse.Warehouse {
		if readOnly {
			return w
		}
		return failListing{blockViews{Warehouse: w, RunStates: w.(warehouse.RunStates), v: v}, &fail}
	}
	var skew atomic.Int64
	f.now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	cfg := daemon.Config{Retry: daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 3},
		Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 1h", QuietPeriod: 24 * time.Hour}}}
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" })
	f.shutdown()

	fail.Store(true)
	v.mu.Lock()
	v.calls = nil
	v.mu.Unlock()
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" })
	if last, _ := f.d.LastCycle("default"); len(last.Views) != 0 {
		t.Fatalf("views named with the listing refused: %v", last.Views)
	}
	skew.Store(int64(11 * time.Minute))
	f.waitCycle("an idle cycle that lists the syncs", func(daemon.Cycle) bool {
		last, _ := f.d.LastCycle("default")
		return last.Views[sync] != ""
	})
	f.shutdown()
}
