package loader_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
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
			fields["cap field "+strconv.Itoa(i)] = "string"
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
	q := `SELECT count(*) FROM synctrack.payload_columns WHERE sync_configuration_id = ? AND starts_with(field_name, 'cap field ')`
	if got := one(t, db, q, sync); got != strconv.Itoa(loader.MaxPayloadFields) {
		t.Errorf("payload_columns of sync %s: %s cap fields, want %d", sync, got, loader.MaxPayloadFields)
	}
	view := one(t, db, `SELECT DISTINCT view_name FROM synctrack.payload_columns WHERE sync_configuration_id = ?`, sync)
	cols := one(t, db, `SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'synctrack' AND table_name = ? AND starts_with(column_name, 'cap_field_')`, view)
	if cols != strconv.Itoa(loader.MaxPayloadFields) {
		t.Errorf("view %s has %s cap columns, want %d", view, cols, loader.MaxPayloadFields)
	}
}
