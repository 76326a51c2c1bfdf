package loader_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// A metadata.json whose payload schema has one field more than the cap fails
// alone, as a data error naming the count and the cap, and its run's records
// still load; one at the cap loads, every field a column of its typed view.
func TestPayloadSchemaCap(t *testing.T) {
	url, dir := generated(t, smallOptions())
	metas, err := filepath.Glob(filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*", "metadata.json"))
	if err != nil || len(metas) < 2 {
		t.Fatalf("want generated metadata.json files, got %d (%v)", len(metas), err)
	}
	sort.Strings(metas)
	// Two runs of different syncs, so that each typed view sees one of them.
	over, at := metas[0], ""
	for _, m := range metas[1:] {
		if filepath.Dir(filepath.Dir(m)) != filepath.Dir(filepath.Dir(over)) {
			at = m
			break
		}
	}
	if at == "" {
		t.Fatal("premise: the generated bucket has one sync")
	}
	writeSchema := func(path string, n int) string {
		t.Helper()
		fields := make(map[string]string, n)
		for i := range n {
			fields["!cap field "+strconv.Itoa(i)] = "string" // "!" sorts before the sync's other fields
		}
		raw, err := json.Marshal(map[string]any{"recordPayloadSchema": fields})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		k, _ := filepath.Rel(dir, path)
		return filepath.ToSlash(k)
	}
	overKey := writeSchema(over, loader.MaxPayloadFields+1)
	atKey := writeSchema(at, loader.MaxPayloadFields)

	w := openWarehouse(t)
	db := w.DB()
	wantRows := one(t, db, `SELECT count(*) FROM read_parquet(`+rawGlob(dir)+`, union_by_name = true)`)
	rep := load(t, testbucket.Open(t, url), dir, w)

	if len(rep.Failed) != 1 || rep.Failed[0].Key != overKey {
		t.Fatalf("want exactly %s failed, got %v", overKey, rep.Failed)
	}
	err = rep.Failed[0].Err
	want := fmt.Sprintf("record payload schema has %d fields, more than the %d", loader.MaxPayloadFields+1, loader.MaxPayloadFields)
	if warehouse.ClassOf(err) != warehouse.Data || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v (class %v): want a data error saying %q", err, warehouse.ClassOf(err), want)
	}
	if got := one(t, db, `SELECT status FROM synctrack.load_ledger WHERE key = ?`, overKey); got != "failed" {
		t.Errorf("ledger %s: %s, want failed", overKey, got)
	}
	if got := one(t, db, `SELECT count(*) FROM synctrack.sync_records`); got != wantRows {
		t.Errorf("loaded %s rows, the files hold %s: the run with too many fields must keep its records", got, wantRows)
	}
	runKey := filepath.ToSlash(filepath.Dir(overKey)) + "/"
	if n := one(t, db, `SELECT count(*) FROM synctrack.sync_records WHERE starts_with(_file, ?)`, runKey); n == "0" {
		t.Error("the run with too many fields lost its records")
	}

	// At the cap: the run loads and its sync's view has every field.
	p := strings.Split(atKey, "/")
	sync := p[len(p)-3]
	if got := one(t, db, `SELECT count(*) FROM synctrack.sync_runs WHERE _file = ?`, atKey); got != "1" {
		t.Errorf("sync_runs rows for %s: %s, want 1", atKey, got)
	}
	q := `SELECT count(*) FROM synctrack.payload_columns WHERE sync_configuration_id = ? AND starts_with(field_name, '!cap field ')`
	if got := one(t, db, q, sync); got != strconv.Itoa(loader.MaxPayloadFields) {
		t.Errorf("payload_columns of sync %s: %s cap fields, want %d", sync, got, loader.MaxPayloadFields)
	}
	view := one(t, db, `SELECT DISTINCT view_name FROM synctrack.payload_columns WHERE sync_configuration_id = ?`, sync)
	cols := one(t, db, `SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'synctrack' AND table_name = ? AND starts_with(column_name, 'cap_field_')`, view)
	if cols != strconv.Itoa(loader.MaxPayloadFields) {
		t.Errorf("view %s has %s cap columns, want %d", view, cols, loader.MaxPayloadFields)
	}
}

// A sync whose runs each name fields of their own, within the cap each but
// past it together, loads every run and gets a typed view of the cap's
// fields, the rest said at warn level (PostgreSQL, whose views hold 1,600
// columns, failed the whole refresh; DuckDB's catalog grew without end).
func TestSyncFieldsUnionCapped(t *testing.T) {
	url, dir := generated(t, smallOptions())
	metas, err := filepath.Glob(filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*", "metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(metas)
	var a, b string
	for i := 1; i < len(metas) && b == ""; i++ {
		if filepath.Dir(filepath.Dir(metas[i])) == filepath.Dir(filepath.Dir(metas[i-1])) {
			a, b = metas[i-1], metas[i]
		}
	}
	if b == "" {
		t.Fatal("premise: the generated bucket has a sync with two runs")
	}
	for _, m := range []struct {
		path, prefix string
	}{{a, "!a field "}, {b, "!b field "}} {
		fields := map[string]string{}
		for i := range 1000 {
			fields[fmt.Sprintf("%s%04d", m.prefix, i)] = "string"
		}
		raw, err := json.Marshal(map[string]any{"recordPayloadSchema": fields})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(m.path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sync := filepath.Base(filepath.Dir(filepath.Dir(a)))

	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelWarn}))
	w, err := duckdb.Open(context.Background(), duckdb.Config{
		Path: filepath.Join(t.TempDir(), "t.duckdb"), Schema: "synctrack", MemoryLimit: "1GB", Logger: log}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{Logger: log}).Load(context.Background())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if len(rep.Failed) != 0 {
		t.Fatalf("failed: %v", rep.Failed)
	}
	db := w.DB()
	q := `SELECT count(*) FROM synctrack.payload_columns WHERE sync_configuration_id = ? AND starts_with(field_name, ?)`
	// Bytewise order ("!" before the sync's generated fields): all of run
	// a's, then run b's first 500.
	for _, c := range []struct{ prefix, want string }{{"", "1500"}, {"!a field ", "1000"}, {"!b field ", "500"}, {"!b field 05", "0"}} {
		if got := one(t, db, q, sync, c.prefix); got != c.want {
			t.Errorf("payload_columns of sync %s: %s fields named %q..., want %s", sync, got, c.prefix, c.want)
		}
	}
	view := one(t, db, `SELECT DISTINCT view_name FROM synctrack.payload_columns WHERE sync_configuration_id = ?`, sync)
	cols := one(t, db, `SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'synctrack' AND table_name = ? AND (starts_with(column_name, 'a_field_') OR starts_with(column_name, 'b_field_'))`, view)
	if cols != strconv.Itoa(loader.MaxPayloadFields) {
		t.Errorf("view %s has %s payload columns, want %d", view, cols, loader.MaxPayloadFields)
	}
	for _, want := range []string{"typed view full", "sync=" + sync, `first="!b field 0500"`} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("the log does not say %q:\n%s", want, logged.String())
		}
	}
}
