package loader_test

import (
	"context"
	"time"

	"github.com/synctrack/synctrack/loader"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
)

// A truncated file, a corrupt one, an empty one and a malformed metadata.json
// each get a ledger row naming the cause; everything else loads; failures are
// retried (attempts counted) and load once fixed; loaded objects never reload.
func TestBadInputDoesNotStopTheRest(t *testing.T) {
	url, dir := generated(t, smallOptions())
	records := findRecords(t, dir)
	runDir := filepath.Dir(records[0])
	good, err := os.ReadFile(records[1])
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(runDir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		k, _ := filepath.Rel(dir, p)
		return filepath.ToSlash(k)
	}
	w := openWarehouse(t)
	db := w.DB()
	// What the readable files hold, counted before the bad ones exist.
	wantRows := one(t, db, `SELECT count(*) FROM read_parquet(`+rawGlob(dir)+`, union_by_name = true)`)
	corrupt := append([]byte(nil), good...)
	for i := 4; i < len(corrupt)/2; i++ {
		corrupt[i] = 0xFF // page headers and data gone, footer intact
	}
	truncated := write("records_updated.91.parquet", good[:len(good)/2])
	corrupted := write("records_updated.92.parquet", corrupt)
	empty := write("records_updated.93.parquet", nil)
	meta := write("metadata.json", []byte(`{"org_id": "1", "record_payload_schema": {`))
	marker := write("_SUCCESS", nil)

	b := testbucket.Open(t, url)
	rep := load(t, b, dir, w)

	failed := map[string]string{}
	for _, f := range rep.Failed {
		failed[f.Key] = f.Err.Error()
	}
	for _, k := range []string{truncated, corrupted, meta, empty} {
		if failed[k] == "" {
			t.Errorf("%s: want a failure, got none (failures: %v)", k, failed)
		}
	}
	if len(failed) != 4 {
		t.Errorf("want exactly 4 failures, got %v", failed)
	}
	if !strings.Contains(failed[truncated], "parquet") || !strings.Contains(failed[meta], "JSON") ||
		!strings.Contains(failed[empty], "not a parquet file") || !strings.Contains(failed[empty], "0 bytes") {
		t.Errorf("errors do not name the cause: %q, %q, %q", failed[truncated], failed[meta], failed[empty])
	}
	ledger := func(key string) string {
		return one(t, db, `SELECT status || ' ' || attempts || ' ' || rows || ' ' || (error IS NOT NULL) FROM synctrack.load_ledger WHERE key = ?`, key)
	}
	for k, want := range map[string]string{
		truncated: "failed 1 0 true", corrupted: "failed 1 0 true", meta: "failed 1 0 true",
		empty: "failed 1 0 true", marker: "skipped 1 0 true",
	} {
		if got := ledger(k); got != want {
			t.Errorf("ledger %s: %q, want %q", k, got, want)
		}
	}
	// Everything else loaded: the records of the run with the bad metadata too.
	if got, want := one(t, db, `SELECT count(*) FROM synctrack.sync_records`), wantRows; got != want {
		t.Fatalf("loaded %s rows, the readable files hold %s", got, want)
	}
	runKey, _ := filepath.Rel(dir, runDir)
	if n := one(t, db, `SELECT count(*) FROM synctrack.sync_records WHERE starts_with(_file, ?)`, filepath.ToSlash(runKey)+"/"); n == "0" {
		t.Fatal("the run with a malformed metadata.json lost its records")
	}

	// Next load: only the failures are tried again, and their attempts count up.
	again := load(t, b, dir, w)
	if again.Files != 0 || len(again.Failed) != 4 {
		t.Fatalf("second load: %d files loaded, %d failed; want 0 and 4", again.Files, len(again.Failed))
	}
	if got := ledger(truncated); got != "failed 2 0 true" {
		t.Fatalf("truncated after retry: %q", got)
	}
	// Fix the truncated file: it loads, with its attempts kept.
	write("records_updated.91.parquet", good)
	fixed := load(t, b, dir, w)
	if fixed.Files != 1 || len(fixed.Failed) != 3 {
		t.Fatalf("after fix: %d loaded, %d failed; want 1 and 3", fixed.Files, len(fixed.Failed))
	}
	if got := one(t, db, `SELECT count(*) FROM synctrack.sync_records WHERE _file = ?`, truncated); got == "0" {
		t.Fatal("fixed file did not load")
	}
}

// In a local folder a file can be listed while it is still being written: with
// Settle, a fresh file that does not read is pending, not failed, and loads
// once whole.
func TestSettleLeavesFreshLocalFilesPending(t *testing.T) {
	url, dir := generated(t, smallOptions())
	records := findRecords(t, dir)
	good, err := os.ReadFile(records[0])
	if err != nil {
		t.Fatal(err)
	}
	partial := filepath.Join(filepath.Dir(records[0]), "records_updated.95.parquet")
	if err := os.WriteFile(partial, good[:len(good)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	b := testbucket.Open(t, url)
	w := openWarehouse(t)
	l := loader.New(b, dir, w, loader.Options{Settle: time.Hour})
	rep, err := l.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pending != 1 || len(rep.Failed) != 0 {
		t.Fatalf("pending %d, failed %v; want 1 pending, none failed", rep.Pending, rep.Failed)
	}
	key, _ := filepath.Rel(dir, partial)
	if n := one(t, w.DB(), `SELECT count(*) FROM synctrack.load_ledger WHERE key = ?`, filepath.ToSlash(key)); n != "0" {
		t.Fatalf("a pending file got %s ledger rows", n)
	}
	if err := os.WriteFile(partial, good, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err = l.Load(context.Background())
	if err != nil || rep.Files != 1 || rep.Pending != 0 {
		t.Fatalf("after the write finished: %+v, %v", rep, err)
	}
}

// A bad file whose time is far ahead (a clock set wrong, touch -d 2030) is
// no write in progress: it fails, named, instead of being left pending and
// unreported on every load for years.
func TestFutureTimedBadFileFails(t *testing.T) {
	url, dir := generated(t, smallOptions())
	records := findRecords(t, dir)
	bad := filepath.Join(filepath.Dir(records[0]), "records_updated.96.parquet")
	if err := os.WriteFile(bad, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(24 * time.Hour)
	if err := os.Chtimes(bad, future, future); err != nil {
		t.Fatal(err)
	}
	b := testbucket.Open(t, url)
	w := openWarehouse(t)
	rep, err := loader.New(b, dir, w, loader.Options{Settle: time.Minute}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	key, _ := filepath.Rel(dir, bad)
	if rep.Pending != 0 || len(rep.Failed) != 1 || rep.Failed[0].Key != filepath.ToSlash(key) {
		t.Fatalf("pending %d, failed %v; want %s failed", rep.Pending, rep.Failed, key)
	}
}
