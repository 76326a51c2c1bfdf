package web_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/web"
)

// The home page lists the bucket only after it has let the warehouse go:
// a listing takes seconds, and while the embedded engine's file is held a
// load in another process is locked out (found by review).
func TestHomeListsBucketAfterRelease(t *testing.T) {
	f := generate(t)
	whURL := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	f.load(t, whURL)
	open := openURL(t, whURL)
	var held, ledgerReads, listedHeld, lists atomic.Int32
	tracked := func(ctx context.Context) (warehouse.Querier, func(), error) {
		q, release, err := open(ctx)
		if err != nil {
			return nil, nil, err
		}
		held.Add(1)
		return q, func() { held.Add(-1); release() }, nil
	}
	pending := func(ctx context.Context, q warehouse.Querier) (web.PendingList, error) {
		if held.Load() == 0 {
			t.Error("Pending called without the warehouse")
		}
		ledgerReads.Add(1)
		return func(context.Context) (web.Pending, error) {
			lists.Add(1)
			listedHeld.Add(held.Load())
			return web.Pending{Records: 7, Metadata: 2, Listed: 31, At: time.Now()}, nil
		}, nil
	}
	srv := serve(t, web.Options{Open: tracked, Pending: pending})
	body := get(t, srv.URL+"/", http.StatusOK)
	if !strings.Contains(body, "Pending in the bucket") || !strings.Contains(body, "31") {
		t.Errorf("home page lacks the pending files:\n%.2000s", body)
	}
	if ledgerReads.Load() != 1 || lists.Load() != 1 {
		t.Errorf("ledger read %d times, bucket listed %d times: want once each", ledgerReads.Load(), lists.Load())
	}
	if listedHeld.Load() != 0 {
		t.Errorf("the bucket was listed while %d warehouse handles were out: want none", listedHeld.Load())
	}
}
