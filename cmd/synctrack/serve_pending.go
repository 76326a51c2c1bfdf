package main

import (
	"context"
	"fmt"
	"log/slog"
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
// as synctrack plan does, at most once a minute. The ledger is read with
// the page's warehouse; the listing runs after the page lets it go.
func pendingFiles(bucketURL string, log *slog.Logger) func(ctx context.Context, q warehouse.Querier) (web.PendingList, error) {
	var mu sync.Mutex
	var last web.Pending
	fresh := func() (web.Pending, bool) {
		mu.Lock()
		defer mu.Unlock()
		return last, !last.At.IsZero() && time.Since(last.At) < pendingEvery
	}
	return func(ctx context.Context, q warehouse.Querier) (web.PendingList, error) {
		if p, ok := fresh(); ok {
			return func(context.Context) (web.Pending, error) { return p, nil }, nil
		}
		src, ok := q.(loader.LedgerSource)
		if !ok {
			return nil, fmt.Errorf("this warehouse has no ledger to compare with")
		}
		// What planning keeps of each row only, not every column of it.
		ledger, err := loader.ReadLedger(ctx, src)
		if err != nil {
			return nil, fmt.Errorf("read ledger: %w", err)
		}
		return func(ctx context.Context) (web.Pending, error) {
			mu.Lock()
			defer mu.Unlock()
			if !last.At.IsZero() && time.Since(last.At) < pendingEvery {
				return last, nil // another page listed meanwhile
			}
			ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			b, root, err := openBucket(ctx, bucketURL, log)
			if err != nil {
				return web.Pending{}, err
			}
			defer b.Close()
			p, err := loader.PlanBucket(ctx, b, root, ledger)
			if err != nil {
				return web.Pending{}, err
			}
			facts := 0
			for _, ws := range p.Facts {
				facts += len(ws)
			}
			last = web.Pending{Records: len(p.Records), Metadata: len(p.Metadata), Facts: facts, Listed: p.Listed, At: time.Now().UTC()}
			return last, nil
		}, nil
	}
}
