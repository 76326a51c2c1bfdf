package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
	"github.com/synctrack/synctrack/web"
)

// targetOpener opens a target's warehouse for one daemon cycle, any engine,
// through the registry as `synctrack load` does; engines that read the
// bucket themselves are handed the target's. Errors carry their class: a
// URL the engine refuses is a config error, which the daemon does not retry.
// pages, when not nil, is how the web pages read a database file: the idle
// cycles of that file's target read the ledger through it too, rather than
// as an instance of their own, whose close would empty the memory the pages
// keep for their next request (BENCHMARKS.md, "The daemon's pages").
func targetOpener(log *slog.Logger, pages *filePages) func(ctx context.Context, raw string, b *blob.Bucket, bucketURL string, readOnly bool) (warehouse.Warehouse, error) {
	return func(ctx context.Context, raw string, b *blob.Bucket, bucketURL string, readOnly bool) (warehouse.Warehouse, error) {
		if readOnly && pages != nil && raw == pages.url {
			q, release, err := pages.open(warehouse.ForDaemon(ctx))
			if err != nil {
				return nil, err
			}
			if w, ok := q.(warehouse.Warehouse); ok {
				return heldWarehouse{Warehouse: w, release: sync.OnceFunc(release)}, nil
			}
			release()
		}
		_, w, err := engines.Open(ctx, raw, warehouse.Options{Bucket: b, BucketURL: bucketURL, ReadOnly: readOnly,
			Logger: log, Now: time.Now})
		return w, err
	}
}

// filePages is a database file's web pages in the daemon: its URL and how
// a page gets the file.
type filePages struct {
	url  string
	open web.Opener
}

// heldWarehouse is a pages' handle given to a cycle: closing it lets the
// handle go.
type heldWarehouse struct {
	warehouse.Warehouse
	release func()
}

func (h heldWarehouse) Close() error {
	h.release()
	return nil
}
