package main

import (
	"context"
	"log/slog"
	"time"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
)

// targetOpener opens a target's warehouse for one daemon cycle, any engine,
// through the registry as `synctrack load` does; engines that read the
// bucket themselves are handed the target's. Errors carry their class: a
// URL the engine refuses is a config error, which the daemon does not retry.
func targetOpener(log *slog.Logger) func(ctx context.Context, raw string, b *blob.Bucket, bucketURL string, readOnly bool) (warehouse.Warehouse, error) {
	return func(ctx context.Context, raw string, b *blob.Bucket, bucketURL string, readOnly bool) (warehouse.Warehouse, error) {
		_, w, err := engines.Open(ctx, raw, warehouse.Options{Bucket: b, BucketURL: bucketURL, ReadOnly: readOnly,
			Logger: log, Now: time.Now})
		return w, err
	}
}
