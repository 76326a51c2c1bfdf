package postgres_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// payloadRow is a records file's row with nothing but what a typed view
// reads.
type payloadRow struct {
	Identifier int64  `parquet:"identifier"`
	Payload    string `parquet:"record_payload"`
}

// loadBoth loads one run of sync s1, its payload schema schema (a JSON
// object) and its records payloads (row i is payloads[i]), into PostgreSQL
// and into DuckDB, the reference, by the same loader.
func loadBoth(t *testing.T, schema string, payloads []string) (pg, duck warehouse.Warehouse) {
	t.Helper()
	ctx := context.Background()
	url, dir := testbucket.Dir(t)
	meta := `{"org_id":"o1","sync_configuration_id":"s1","sync_run_id":"r1","record_payload_schema":` + schema + `}`
	os.MkdirAll(filepath.Join(dir, filepath.FromSlash(runDir)), 0o755)
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(runDir+"metadata.json")), []byte(meta), 0o644); err != nil {
		t.Fatal(err)
	}
	rows := make([]payloadRow, len(payloads))
	for i, p := range payloads {
		rows[i] = payloadRow{Identifier: int64(i), Payload: p}
	}
	writeParquet(t, dir, runDir+"records_updated.0.parquet", rows)
	pg = open(t, pgtest.URL(t), warehouse.Options{})
	ref, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "ref.duckdb"), Schema: "synctrack", MemoryLimit: "512MB"}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ref.Close() })
	for _, w := range []warehouse.Warehouse{pg, ref} {
		rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(ctx)
		if err != nil || len(rep.Failed) != 0 || rep.Rows != int64(len(payloads)) {
			t.Fatalf("load into %s: %v, %d rows, failed %v", w.Dialect().Name(), err, rep.Rows, rep.Failed)
		}
	}
	return pg, ref
}

// viewColumn is column col of sync s1's typed view, by row, each value
// printed with %v (<nil> for NULL), as w's query path gives it.
func viewColumn(t *testing.T, w warehouse.Warehouse, col string) []string {
	t.Helper()
	d := w.Dialect()
	q := fmt.Sprintf("SELECT %s FROM %s.%s ORDER BY _row", d.Ident(col), d.Ident(w.Schema()), d.Ident("sync_records_s1"))
	rs, err := w.Query(context.Background(), q, nil)
	if err != nil {
		t.Fatalf("%s: %v", d.Name(), err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var v any
		if err := rs.Scan(&v); err != nil {
			t.Fatalf("%s: %v", d.Name(), err)
		}
		out = append(out, fmt.Sprint(v))
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("%s: %v", d.Name(), err)
	}
	return out
}
