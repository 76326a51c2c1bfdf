package loader_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// Issue 11, case 1: a metadata.json DuckDB refuses (a lone surrogate escape,
// which Go's JSON parser takes) fails alone, named; the other runs' metadata
// and every records file load, the first time and every time after.
func TestRefusedMetadataFailsAlone(t *testing.T) {
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 2, 3, 50
	url, dir := generated(t, o)
	metas, _ := filepath.Glob(filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*", "metadata.json"))
	if len(metas) != 2 {
		t.Fatalf("want 2 run folders, got %v", metas)
	}
	if err := os.WriteFile(metas[0], []byte(`{"org_id":"1001","note":"\ud800"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	bad, _ := filepath.Rel(dir, metas[0])
	bad = filepath.ToSlash(bad)
	w := openWarehouse(t)
	db := w.DB()
	rep := load(t, testbucket.Open(t, url), dir, w)
	if len(rep.Failed) != 1 || rep.Failed[0].Key != bad || !strings.Contains(rep.Failed[0].Err.Error(), "surrogate") {
		t.Fatalf("failed: %+v; want only %s, naming the surrogate", rep.Failed, bad)
	}
	if got := one(t, db, `SELECT count(*) FROM synctrack.sync_runs`); got != "1" {
		t.Fatalf("%s runs loaded, want the good one", got)
	}
	want := one(t, db, `SELECT count(*) FROM read_parquet(`+rawGlob(dir)+`)`)
	if got := one(t, db, `SELECT count(*) FROM synctrack.sync_records`); got != want {
		t.Fatalf("%s records rows loaded, the files hold %s", got, want)
	}
	if got := one(t, db, `SELECT status FROM synctrack.load_ledger WHERE key = ?`, bad); got != "failed" {
		t.Fatalf("ledger status of the refused metadata.json: %s", got)
	}
}

// refusing is a warehouse that refuses the records files in bad (all when
// bad is nil) with err, and loads the others.
type refusing struct {
	*duckdb.Warehouse
	err   error
	bad   map[string]bool
	calls int
}

func (r *refusing) LoadRecords(ctx context.Context, fs []warehouse.File) (warehouse.Loaded, error) {
	r.calls++
	for _, f := range fs {
		if r.bad == nil || r.bad[f.Key] {
			return warehouse.Loaded{}, r.err
		}
	}
	return r.Warehouse.LoadRecords(ctx, fs)
}

// Issue 11, cases 3 and 8: a warehouse that refuses everything is not a bad
// bucket. A classified refusal (suspended, down, a quota) stops the load after
// one call, blaming nothing; one no table knows is narrowed only until three
// files fail with the same words while none loaded (a few calls per level of
// halving), and blames nothing either, whatever the batch size. Before,
// 1,000 files cost 1,999 calls and every file was marked failed.
func TestRefusingWarehouseBlamesNoFile(t *testing.T) {
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 2, 8, 5
	url, dir := generated(t, o)
	for _, c := range []struct {
		name     string
		err      error
		batch    int
		maxCalls int
		class    warehouse.Class
	}{
		{"suspended", &warehouse.Error{Class: warehouse.Resource, Reason: "quota", Err: errors.New("warehouse suspended")}, 1000, 1, warehouse.Resource},
		{"down", &warehouse.Error{Class: warehouse.Transient, Reason: "network", Err: errors.New("connection refused")}, 1000, 1, warehouse.Transient},
		{"unknown step", errors.New("Table not found: _st_tmp_0"), 1000, 12, warehouse.Unclassified},
		{"unknown step, one file a batch", errors.New("Table not found: _st_tmp_0"), 1, 3, warehouse.Unclassified},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := &refusing{Warehouse: openWarehouse(t), err: c.err}
			rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: c.batch}).Load(context.Background())
			if err == nil || warehouse.ClassOf(err) != c.class || rep == nil || len(rep.Failed) != 0 {
				t.Fatalf("load: %v (class %s), report %+v; want class %s and no failed object", err, warehouse.ClassOf(err), rep, c.class)
			}
			if w.calls > c.maxCalls {
				t.Errorf("%d LoadRecords calls, want at most %d", w.calls, c.maxCalls)
			}
			if n := one(t, w.DB(), `SELECT count(*) FROM synctrack.load_ledger WHERE status <> 'loaded' AND kind = 'records'`); n != "0" {
				t.Fatalf("%s records objects blamed in the ledger", n)
			}
		})
	}
}

// Two bad files that fail with the same unknown words, in different halves
// of a batch, are each blamed once a good file loads beside them; the good
// files load. (An early version took two such halves for the warehouse
// refusing the step and stopped every load, for good.)
func TestSameUnknownErrorTwiceIsStillTheFiles(t *testing.T) {
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 2, 8, 5
	url, dir := generated(t, o)
	keys := findKeys(t, dir)
	bad := map[string]bool{keys[1]: true, keys[len(keys)-2]: true}
	w := &refusing{Warehouse: openWarehouse(t), err: errors.New("Invalid Error: something odd"), bad: bad}
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 1000}).Load(context.Background())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	got := map[string]bool{}
	for _, f := range rep.Failed {
		got[f.Key] = true
	}
	if len(got) != 2 || !got[keys[1]] || !got[keys[len(keys)-2]] {
		t.Fatalf("failed %v, want exactly %v", rep.Failed, bad)
	}
	if rep.Files < len(keys)-2 {
		t.Fatalf("%d files loaded, want the %d good ones and the metadata", rep.Files, len(keys)-2)
	}
}

// Issue 11, case 6: a zero-byte parquet object and a records file without an
// identifier column fail, each naming why, instead of loading as nothing or
// as NULL identifiers.
func TestEmptyAndIdentifierlessFilesFail(t *testing.T) {
	url, dir := generated(t, smallOptions())
	runDir := filepath.Dir(findRecords(t, dir)[0])
	empty := filepath.Join(runDir, "records_updated.97.parquet")
	noID := filepath.Join(runDir, "records_updated.98.parquet")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Status  string `parquet:"status"`
		Message string `parquet:"status_message"`
	}
	if err := parquet.WriteFile(noID, []row{{"rejected", "x"}}); err != nil {
		t.Fatal(err)
	}
	w := openWarehouse(t)
	rep := load(t, testbucket.Open(t, url), dir, w)
	failed := map[string]string{}
	for _, f := range rep.Failed {
		failed[filepath.Base(f.Key)] = f.Err.Error()
	}
	if !strings.Contains(failed["records_updated.97.parquet"], "empty (0 bytes)") ||
		!strings.Contains(failed["records_updated.98.parquet"], "no identifier column") ||
		!strings.Contains(failed["records_updated.98.parquet"], "status_message") || len(failed) != 2 {
		t.Fatalf("failures: %v", failed)
	}
}

// Issue 11, case 5: bytes that are not UTF-8 in a string column cost the file
// nothing but those bytes: every row loads, the bad bytes read as U+FFFD, the
// ledger row is loaded and says how many values were repaired, and the next
// load reads nothing again.
func TestInvalidUTF8IsRepaired(t *testing.T) {
	url, dir := generated(t, smallOptions())
	key := writeTextRows(t, dir, []textRow{
		{"ok-1", "succeeded", ""}, {"bad\xff-2", "rejected", "caf\xe9 \xc3\x28"}, {"ok-3", "rejected", "fine"},
	})
	w := openWarehouse(t)
	db := w.DB()
	b := testbucket.Open(t, url)
	rep := load(t, b, dir, w)
	if len(rep.Failed) != 0 {
		t.Fatalf("failures: %v", rep.Failed)
	}
	got := rows(t, db, `SELECT identifier || '|' || coalesce(status_message, '') FROM synctrack.sync_records WHERE _file = ?`, key)
	want := []string{"bad\uFFFD-2|caf\uFFFD \uFFFD(", "ok-1|", "ok-3|fine"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows: %q, want %q", got, want)
	}
	if note := one(t, db, `SELECT status || ' ' || error FROM synctrack.load_ledger WHERE key = ?`, key); !strings.HasPrefix(note, "loaded repaired 2 string values") {
		t.Fatalf("ledger: %q", note)
	}
	if again := load(t, b, dir, w); again.Files != 0 || len(again.Failed) != 0 {
		t.Fatalf("second load read %d files, %d failed", again.Files, len(again.Failed))
	}
}

// Two files of one batch with bytes that are not UTF-8 are both repaired in
// the same load: the engine names one bad file a try, so the loader repairs
// and tries again until no new file is named (before, the second failed
// and waited for the next load).
func TestTwoInvalidUTF8FilesRepairedInOneLoad(t *testing.T) {
	url, dir := generated(t, smallOptions())
	type row struct {
		Identifier string `parquet:"identifier"`
		Status     string `parquet:"status"`
		Message    string `parquet:"status_message"`
	}
	var keys []string
	for _, n := range []string{"95", "96"} {
		p := filepath.Join(filepath.Dir(findRecords(t, dir)[0]), "records_updated."+n+".parquet")
		if err := parquet.WriteFile(p, []row{{"ok-" + n, "succeeded", ""}, {"bad-" + n, "rejected", "caf\xe9 " + n}}); err != nil {
			t.Fatal(err)
		}
		key, _ := filepath.Rel(dir, p)
		keys = append(keys, filepath.ToSlash(key))
	}
	w := openWarehouse(t)
	rep := load(t, testbucket.Open(t, url), dir, w)
	if len(rep.Failed) != 0 {
		t.Fatalf("failures: %v", rep.Failed)
	}
	for _, key := range keys {
		if note := one(t, w.DB(), `SELECT status || ' ' || error FROM synctrack.load_ledger WHERE key = ?`, key); !strings.HasPrefix(note, "loaded repaired 1 string value") {
			t.Errorf("%s: ledger %q", key, note)
		}
	}
}

// An object that fails QuarantineAfter times is quarantined: later loads do
// not read it, Requeue puts it back, and a fixed copy then loads.
func TestQuarantineAndRequeue(t *testing.T) {
	url, dir := generated(t, smallOptions())
	bad := filepath.Join(filepath.Dir(findRecords(t, dir)[0]), "records_updated.99.parquet")
	if err := os.WriteFile(bad, []byte("PAR1 not parquet PAR1"), 0o644); err != nil {
		t.Fatal(err)
	}
	key, _ := filepath.Rel(dir, bad)
	key = filepath.ToSlash(key)
	w := openWarehouse(t)
	b := testbucket.Open(t, url)
	l := loader.New(b, dir, w, loader.Options{QuarantineAfter: 2})
	status := func() string {
		return one(t, w.DB(), `SELECT status || ' ' || attempts FROM synctrack.load_ledger WHERE key = ?`, key)
	}
	for i, want := range []string{"failed 1", "quarantined 2", "quarantined 2"} {
		rep, err := l.Load(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := status(); got != want {
			t.Fatalf("load %d: ledger %q, want %q", i+1, got, want)
		}
		if i == 2 && (len(rep.Failed) != 0 || rep.InQuarantine != 1) {
			t.Fatalf("load 3 read the quarantined object: failed %v, in quarantine %d", rep.Failed, rep.InQuarantine)
		}
	}
	if n, err := w.Requeue(context.Background(), []string{key, "not/a/key"}); err != nil || n != 1 {
		t.Fatalf("requeue: %d, %v", n, err)
	}
	if got := status(); got != "failed 0" {
		t.Fatalf("after requeue: %q", got)
	}
	good, _ := os.ReadFile(findRecords(t, dir)[0])
	if err := os.WriteFile(bad, good, 0o644); err != nil {
		t.Fatal(err)
	}
	// The rewritten file is a new version (etag) and loads as such.
	if rep, err := l.Load(context.Background()); err != nil || len(rep.Failed) != 0 || rep.Files != 1 {
		t.Fatalf("after the fix: %+v, %v", rep, err)
	}
}

// findKeys lists the generated records files' keys, sorted as the loader
// batches them.
func findKeys(t *testing.T, dir string) []string {
	t.Helper()
	var keys []string
	for _, p := range findRecords(t, dir) {
		k, _ := filepath.Rel(dir, p)
		keys = append(keys, filepath.ToSlash(k))
	}
	sort.Strings(keys)
	return keys
}
