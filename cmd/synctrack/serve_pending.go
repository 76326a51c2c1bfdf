package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/web"
)

// pendingEvery is how long the home page's count of pending files is kept:
// listing a large bucket takes seconds, a page must not.
const pendingEvery = time.Minute

// pendingFiles lists the bucket at bucketURL against the warehouse's ledger,
// as synctrack plan does, at most once a minute.
func pendingFiles(bucketURL string) func(ctx context.Context, q warehouse.Querier) (web.Pending, error) {
	var mu sync.Mutex
	var last web.Pending
	return func(ctx context.Context, q warehouse.Querier) (web.Pending, error) {
		mu.Lock()
		defer mu.Unlock()
		if !last.At.IsZero() && time.Since(last.At) < pendingEvery {
			return last, nil
		}
		lw, ok := q.(interface {
			Ledger(context.Context) ([]warehouse.LedgerEntry, error)
		})
		if !ok {
			return web.Pending{}, fmt.Errorf("this warehouse has no ledger to compare with")
		}
		rows, err := lw.Ledger(ctx)
		if err != nil {
			return web.Pending{}, fmt.Errorf("read ledger: %w", err)
		}
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		b, _, err := openBucket(ctx, bucketURL)
		if err != nil {
			return web.Pending{}, err
		}
		defer b.Close()
		p, err := loader.PlanBucket(ctx, b, loader.NewLedger(rows))
		if err != nil {
			return web.Pending{}, err
		}
		facts := 0
		for _, ws := range p.Facts {
			facts += len(ws)
		}
		last = web.Pending{Records: len(p.Records), Metadata: len(p.Metadata), Facts: facts, Listed: p.Listed, At: time.Now().UTC()}
		return last, nil
	}
}
