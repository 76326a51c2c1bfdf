package loader_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// smallOptions is a generated bucket small enough for quick tests that still
// has every irregular shape the generator makes.
func smallOptions() gen.Options {
	o := gen.DefaultOptions()
	o.RowsPerFile = 60
	return o
}

// generated writes a bucket into a new temp dir and returns its URL and dir.
func generated(t *testing.T, o gen.Options) (string, string) {
	t.Helper()
	url, dir := testbucket.Dir(t)
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, url), o); err != nil {
		t.Fatalf("generate: %v", err)
	}
	return url, dir
}

func openWarehouse(t testing.TB) *duckdb.Warehouse {
	t.Helper()
	w, err := duckdb.Open(context.Background(), duckdb.Config{
		Path: filepath.Join(t.TempDir(), "t.duckdb"), Schema: "synctrack", MemoryLimit: "1GB"}, time.Now)
	if err != nil {
		t.Fatalf("open duckdb: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// load runs one load of bucket b (local dir root, or "") into w.
func load(t *testing.T, b *blob.Bucket, root string, w *duckdb.Warehouse) *loader.Report {
	t.Helper()
	rep, err := loader.New(b, root, w, loader.Options{BatchFiles: 7}).Load(context.Background())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return rep
}

// rows runs a query and returns every row as strings, sorted.
func rows(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rs, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out []string
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func one(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	r := rows(t, db, q, args...)
	if len(r) != 1 {
		t.Fatalf("%s: want one row, got %d", q, len(r))
	}
	return r[0]
}

func sameRows(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: the independent query returned nothing, so the comparison proves nothing", what)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s differ:\n got %d rows: %.400v\nwant %d rows: %.400v", what, len(got), got, len(want), want)
	}
}

// rawGlob is every records file of a generated dir, for DuckDB's own reader.
func rawGlob(dir string) string {
	return "'" + filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*", "*.parquet") + "'"
}

// countsDisagree counts the (file, outcome) pairs on which the per-run
// counts tables and the stored rows disagree: 0 when the counts hold.
const countsDisagree = `WITH r AS (SELECT _file, outcome, count(*) AS n FROM synctrack.sync_log GROUP BY ALL),
c AS (SELECT _file, outcome, sum(records) AS n FROM synctrack.run_outcome_counts GROUP BY ALL),
fp AS (SELECT _file, outcome, sum(records) AS n FROM synctrack.run_fingerprint_counts GROUP BY ALL)
SELECT (SELECT count(*) FROM r FULL JOIN c USING (_file, outcome) WHERE r.n IS DISTINCT FROM c.n)
  + (SELECT count(*) FROM (SELECT * FROM r WHERE outcome <> 'success') r2 FULL JOIN fp USING (_file, outcome) WHERE r2.n IS DISTINCT FROM fp.n)`

// textRow is a records row of the string columns whose bytes the loader
// checks for UTF-8.
type textRow struct {
	Identifier string `parquet:"identifier"`
	Status     string `parquet:"status"`
	Message    string `parquet:"status_message"`
}

// writeTextRows writes rows as a new records file in the first run folder
// of the bucket in dir, and returns its key.
func writeTextRows(t *testing.T, dir string, rows []textRow) string {
	t.Helper()
	p := filepath.Join(filepath.Dir(findRecords(t, dir)[0]), "records_updated.96.parquet")
	if err := parquet.WriteFile(p, rows); err != nil {
		t.Fatal(err)
	}
	key, err := filepath.Rel(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(key)
}
