package main

import (
	"context"
	"errors"
	"strings"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/bigquery"
	"github.com/synctrack/synctrack/warehouse/snowflake"
)

// openTargetWarehouse opens a target's warehouse for one daemon cycle, any
// engine, as `synctrack load` does (openEngine dispatches on the scheme);
// BigQuery is handed the target's bucket, which its loads read. A URL the
// engine refuses is permanent: retrying will not fix it.
func openTargetWarehouse(ctx context.Context, raw string, b *blob.Bucket, bucketURL string, readOnly bool) (warehouse.Warehouse, error) {
	w, err := openEngine(ctx, raw, b, bucketURL, readOnly)
	var usage *exitError
	if errors.As(err, &usage) {
		return nil, &daemon.PermanentError{Err: err, Fix: "fix the target's warehouse URL: " + urlShapes}
	}
	if err != nil {
		return nil, err
	}
	return w, nil
}

const urlShapes = "duckdb:///abs/file.duckdb, snowflake://USER@ACCOUNT/DATABASE/SCHEMA?warehouse=..&role=.. " +
	"(secret in SYNCTRACK_SNOWFLAKE_*) or bigquery://PROJECT/DATASET?location=.."

// permanentWarehouseError says whether a Snowflake or BigQuery error is one
// that retrying cannot fix (login, grants, a missing object, a rejected
// statement), and its hint. The daemon then logs it once per cycle with the
// hint and waits for the next tick instead of backing off.
func permanentWarehouseError(err error) (string, bool) {
	var se *snowflake.Error
	if errors.As(err, &se) && !se.Retryable && se.Class != snowflake.ClassData {
		return hintOr(se.Hint, "see the README's Snowflake section"), true
	}
	var be *bigquery.Error
	if errors.As(err, &be) && !be.Retryable && be.Kind != "other" {
		return hintOr(be.Hint, "see the README's BigQuery section"), true
	}
	return "", false
}

func hintOr(h, def string) string {
	if strings.TrimSpace(h) == "" {
		return def
	}
	return h
}
