package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/gcsblob"
	_ "gocloud.dev/blob/memblob"
	_ "gocloud.dev/blob/s3blob"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/bigquery"
	"github.com/synctrack/synctrack/warehouse/duckdb"
	"github.com/synctrack/synctrack/warehouse/snowflake"
)

// openBucket opens a gocloud.dev bucket URL. For file:// it also returns the
// directory, so the loader can link files instead of copying them.
func openBucket(ctx context.Context, raw string) (*blob.Bucket, string, error) {
	if raw == "" {
		return nil, "", usageError("no bucket: set --bucket (or SYNCTRACK_BUCKET), e.g. file:///data/bucket or s3://my-bucket?region=us-east-1")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return nil, "", usageError("bucket URL %q: want a URL such as s3://bucket, gs://bucket, file:///abs/dir or mem://", raw)
	}
	root := ""
	if u.Scheme == "file" {
		if u.Host != "" && u.Host != "localhost" {
			return nil, "", usageError("bucket URL %q: a file URL needs an absolute path: file:///abs/dir", raw)
		}
		root = filepath.Clean(u.Path)
		if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
			return nil, "", usageError("bucket URL %q: %s is not a directory (a file:// bucket is the folder holding sync_tracking_datasets/)", raw, root)
		}
	}
	b, err := blob.OpenBucket(ctx, raw)
	if err != nil {
		if strings.Contains(err.Error(), "no driver registered") || strings.Contains(err.Error(), "unknown query parameter") {
			return nil, "", usageError("bucket URL %q: %v", raw, err)
		}
		return nil, "", fmt.Errorf("open bucket %s: %w", raw, err)
	}
	return b, root, nil
}

// parseDuckDB reads a warehouse URL, which must be duckdb:// for now.
func parseDuckDB(raw string) (duckdb.Config, error) {
	if raw == "" {
		return duckdb.Config{}, usageError("no warehouse: set --warehouse (or SYNCTRACK_WAREHOUSE), e.g. duckdb://./sync-logs.duckdb")
	}
	if !strings.HasPrefix(raw, "duckdb://") {
		scheme, _, _ := strings.Cut(raw, "://")
		return duckdb.Config{}, usageError("warehouse %q: the %s warehouse is not built yet; use duckdb://PATH", raw, scheme)
	}
	c, err := duckdb.ParseURL(raw)
	if err != nil {
		return duckdb.Config{}, usageError("%v", err)
	}
	return c, nil
}

// openDuckDB opens the warehouse URL.
func openDuckDB(ctx context.Context, raw string, readOnly bool) (*duckdb.Warehouse, error) {
	c, err := parseDuckDB(raw)
	if err != nil {
		return nil, err
	}
	c.ReadOnly = readOnly
	w, err := duckdb.Open(ctx, c, time.Now)
	if err != nil {
		return nil, fmt.Errorf("open warehouse %s: %w", raw, err)
	}
	return w, nil
}

// openWarehouse opens a warehouse URL for loading, choosing the engine by scheme.
// BigQuery reads the bucket itself, so it is given the bucket too.
func openWarehouse(ctx context.Context, raw string, b *blob.Bucket, bucketURL string) (warehouse.Warehouse, error) {
	return openEngine(ctx, raw, b, bucketURL, false)
}

// openReader opens a warehouse URL to read what is loaded (status, report,
// records): no bucket, which only BigQuery's loads read, and read-only where
// the engine has that mode. A DuckDB file that does not exist yet is a usage
// error; a Snowflake schema without tables reads as an empty ledger.
func openReader(ctx context.Context, raw string) (warehouse.Warehouse, error) {
	if !isSnowflake(raw) && !strings.HasPrefix(raw, "bigquery://") {
		exists, err := duckdbExists(raw)
		if err != nil {
			return nil, err
		}
		if !exists {
			return nil, usageError("warehouse %s has no database file yet: run synctrack load first", raw)
		}
	}
	return openEngine(ctx, raw, nil, "", true)
}

// openEngine dispatches on the URL's scheme. b may be nil when nothing is
// loaded.
func openEngine(ctx context.Context, raw string, b *blob.Bucket, bucketURL string, readOnly bool) (warehouse.Warehouse, error) {
	if isSnowflake(raw) {
		return openSnowflake(ctx, raw, readOnly)
	}
	if strings.HasPrefix(raw, "bigquery://") {
		return openBigQuery(ctx, raw, b, bucketURL, readOnly)
	}
	return openDuckDB(ctx, raw, readOnly)
}

func isSnowflake(raw string) bool { return strings.HasPrefix(raw, "snowflake://") }

// openSnowflake opens snowflake://DSN; secrets come from SYNCTRACK_SNOWFLAKE_*
// variables, and no error repeats the URL (it may hold a password).
func openSnowflake(ctx context.Context, raw string, readOnly bool) (*snowflake.Warehouse, error) {
	c, err := snowflake.ParseURL(raw, os.Getenv)
	if err != nil {
		return nil, usageError("%v", err)
	}
	w, err := snowflake.Open(ctx, c, snowflake.Options{ReadOnly: readOnly})
	if err != nil {
		return nil, fmt.Errorf("open snowflake warehouse: %w", err)
	}
	return w, nil
}

// openBigQuery opens bigquery://PROJECT/DATASET?location=..; credentials come
// from credentials_file= or Application Default Credentials.
func openBigQuery(ctx context.Context, raw string, b *blob.Bucket, bucketURL string, readOnly bool) (*bigquery.Warehouse, error) {
	c, err := bigquery.ParseURL(raw)
	if err != nil {
		return nil, usageError("%v", err)
	}
	c.Bucket, c.BucketURL, c.ReadOnly = b, bucketURL, readOnly
	w, err := bigquery.Open(ctx, c, time.Now)
	if err != nil {
		return nil, fmt.Errorf("open bigquery warehouse: %w", err)
	}
	return w, nil
}
