// Package bigquery_test runs the BigQuery warehouse against the in-process
// goccy/bigquery-emulator and fake-gcs-server. It is its own Go module because
// the emulator is a heavy build: `go test ./...` in the main module stays quick.
package bigquery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"github.com/goccy/bigquery-emulator/server"
	"github.com/goccy/bigquery-emulator/types"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/gcsblob"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
	bq "github.com/synctrack/synctrack/warehouse/bigquery"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

const project = "synctrack-test"

// env is one emulated BigQuery and one emulated GCS bucket.
type env struct {
	bucketURL string
	bucket    *blob.Bucket
}

func newEnv(t *testing.T) *env {
	t.Helper()
	gcs, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1", PublicHost: "127.0.0.1"})
	if err != nil {
		t.Fatalf("fake gcs: %v", err)
	}
	t.Cleanup(gcs.Stop)
	gcs.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "sync-logs"})
	u, _ := url.Parse(gcs.URL())
	// gocloud's gcsblob wants host:port and prefixes http://; the emulator's
	// GCS client wants the scheme. Open the bucket under the first, then
	// leave the second for the emulator, which reads it at each load job.
	t.Setenv("STORAGE_EMULATOR_HOST", "127.0.0.1:"+u.Port())
	b, err := blob.OpenBucket(context.Background(), "gs://sync-logs")
	if err != nil {
		t.Fatalf("open gs bucket: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	t.Setenv("STORAGE_EMULATOR_HOST", "http://127.0.0.1:"+u.Port())

	srv, err := server.New(server.TempStorage)
	if err != nil {
		t.Fatalf("bigquery emulator: %v", err)
	}
	if err := srv.Load(server.StructSource(types.NewProject(project))); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetProject(project); err != nil {
		t.Fatal(err)
	}
	ts := srv.TestServer()
	t.Cleanup(func() { ts.Close(); srv.Stop(context.Background()) })
	t.Setenv("BIGQUERY_EMULATOR_HOST", ts.URL)

	return &env{bucketURL: "gs://sync-logs", bucket: b}
}

// smallOptions is a bucket with every irregular shape the generator makes,
// small enough for the emulator.
func smallOptions() gen.Options {
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 3, 2, 2, 25
	return o
}

func (e *env) generate(t *testing.T, o gen.Options) {
	t.Helper()
	if _, err := gen.Generate(context.Background(), e.bucket, o); err != nil {
		t.Fatalf("generate: %v", err)
	}
}

// open opens the BigQuery warehouse on path b: the emulator has no external
// tables, so path a is proven by golden SQL instead.
func (e *env) open(t *testing.T) *bq.Warehouse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e.precreate(t, ctx)
	w, err := bq.Open(ctx, bq.Config{Project: project, Dataset: "synctrack", Path: bq.PathLoad,
		Bucket: e.bucket, BucketURL: e.bucketURL, JobTimeout: time.Minute}, time.Now)
	if err != nil {
		t.Fatalf("open bigquery: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// duck loads the same bucket into DuckDB, the reference.
func (e *env) duck(t *testing.T) *duckdb.Warehouse {
	t.Helper()
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: filepath.Join(t.TempDir(), "ref.duckdb"),
		Schema: "synctrack", MemoryLimit: "512MB"}, time.Now)
	if err != nil {
		t.Fatalf("open duckdb: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	rep, err := loader.New(e.bucket, "", w, loader.Options{}).Load(context.Background())
	if err != nil || len(rep.Failed) > 0 {
		t.Fatalf("duckdb load: %v %+v", err, rep)
	}
	return w
}

// bqRows runs a query on the emulator and returns rows as sorted strings.
func bqRows(t *testing.T, w *bq.Warehouse, q string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	it, err := w.Client().Query(q).Read(ctx)
	if err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	var out []string
	for {
		var row []bigquery.Value
		err := it.Next(&row)
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatalf("query %s: %v", q, err)
		}
		parts := make([]string, len(row))
		for i, v := range row {
			parts[i] = fmtValue(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	sort.Strings(out)
	return out
}

// duckRows runs a query on DuckDB and returns rows as sorted strings.
func duckRows(t *testing.T, w *duckdb.Warehouse, q string) []string {
	t.Helper()
	rs, err := w.DB().Query(q)
	if err != nil {
		t.Fatalf("duckdb %s: %v", q, err)
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
			parts[i] = fmtValue(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	sort.Strings(out)
	return out
}

// fmtValue prints a value alike from both engines: JSON canonical (DuckDB's
// driver decodes it, BigQuery's hands text), a midnight as a date (a template
// may type a day as DATE on one engine and a timestamp on the other).
func fmtValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case map[string]any, []any, []bigquery.Value:
		b, _ := json.Marshal(x)
		return string(b)
	case string:
		if strings.HasPrefix(x, "{") || strings.HasPrefix(x, "[") {
			var j any
			if json.Unmarshal([]byte(x), &j) == nil {
				b, _ := json.Marshal(j)
				return string(b)
			}
		}
		return x
	case time.Time:
		if x.UTC().Truncate(24 * time.Hour).Equal(x) {
			return x.UTC().Format(time.DateOnly)
		}
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		return fmt.Sprintf("%.6g", x)
	case int32:
		return fmt.Sprint(int64(x))
	}
	return fmt.Sprint(v)
}

// precreate makes sync_records with the generator's extra column already in
// it. Emulator gap: a schema patch (and ALTER TABLE ADD COLUMN) reports
// success but the query engine never sees the column, so the warehouse's own
// column adding is proven only on real BigQuery (the live test).
func (e *env) precreate(t *testing.T, ctx context.Context) {
	t.Helper()
	c, err := bigquery.NewClient(ctx, project, option.WithEndpoint(os.Getenv("BIGQUERY_EMULATOR_HOST")), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ds := c.Dataset("synctrack")
	if _, err := ds.Metadata(ctx); err == nil {
		return
	}
	if err := ds.Create(ctx, nil); err != nil {
		t.Fatalf("create dataset: %v", err)
	}
	var schema bigquery.Schema
	for _, col := range append(dialects.BigQueryColumns(dialects.RecordsColumns), dialects.Column{Name: "retry_count", Type: "INT64"}) {
		ft := map[string]bigquery.FieldType{"STRING": bigquery.StringFieldType, "JSON": bigquery.JSONFieldType,
			"TIMESTAMP": bigquery.TimestampFieldType, "INT64": bigquery.IntegerFieldType}[col.Type]
		schema = append(schema, &bigquery.FieldSchema{Name: col.Name, Type: ft})
	}
	// Laid out as synctrack makes it: an unpartitioned one would be migrated.
	if err := ds.Table("sync_records").Create(ctx, &bigquery.TableMetadata{Schema: schema,
		TimePartitioning: &bigquery.TimePartitioning{Type: bigquery.DayPartitioningType, Field: dialects.BigQueryPartitionColumn},
		Clustering:       &bigquery.Clustering{Fields: dialects.BigQueryClusterColumns}}); err != nil {
		t.Fatalf("create sync_records: %v", err)
	}
}

// recordsSchema is sync_records' schema as precreate makes it.
func recordsSchema() bigquery.Schema {
	var schema bigquery.Schema
	for _, col := range append(dialects.BigQueryColumns(dialects.RecordsColumns), dialects.Column{Name: "retry_count", Type: "INT64"}) {
		ft := map[string]bigquery.FieldType{"STRING": bigquery.StringFieldType, "JSON": bigquery.JSONFieldType,
			"TIMESTAMP": bigquery.TimestampFieldType, "INT64": bigquery.IntegerFieldType}[col.Type]
		schema = append(schema, &bigquery.FieldSchema{Name: col.Name, Type: ft})
	}
	return schema
}

// fixMillis undoes an emulator gap: it reads parquet TIMESTAMP_MILLIS as
// micros (BigQuery reads them right), so those rows land in January 1970.
// Every generated timestamp is in 2026, so the repair is exact.
func fixMillis(t *testing.T, w *bq.Warehouse) {
	t.Helper()
	for _, c := range []string{"batch_started_at", "batch_ended_at"} {
		for _, table := range timeTables[c] {
			fixMillisIn(t, w, table, c)
		}
	}
}

// timeTables are the tables holding each batch time: sync_records and the
// counts, which copy them per file.
var timeTables = map[string][]string{
	"batch_started_at": {"sync_records", "run_outcome_counts", "run_fingerprint_counts"},
	"batch_ended_at":   {"sync_records", "run_outcome_counts"},
}

func fixMillisIn(t *testing.T, w *bq.Warehouse, table, c string) {
	t.Helper()
	q := "UPDATE synctrack." + table + " SET " + c + " = TIMESTAMP_MILLIS(UNIX_MICROS(" + c + ")) WHERE " + c + " < TIMESTAMP '2000-01-01'"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	job, err := w.Client().Query(q).Run(ctx)
	if err == nil {
		_, err = job.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("repair millis in %s: %v", table, err)
	}
}
