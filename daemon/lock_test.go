package daemon

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"

	"github.com/synctrack/synctrack/internal/holdlock"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
)

// TestHoldLockChild is not a test: it is the process that holds a database
// file's lock for the test below (see internal/holdlock).
func TestHoldLockChild(t *testing.T) { holdlock.Child(t) }

// With the real error DuckDB gives when another process holds the database
// file (the tests above use a made-up one), a cycle is busy: it waits with
// backoff as warehouse_locked, then ends with that error, loading nothing.
func TestRealLockIsBusy(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	holdlock.Start(t, "TestHoldLockChild", db)
	open := func(ctx context.Context, url string, _ *blob.Bucket, _ string, ro bool) (warehouse.Warehouse, error) {
		_, w, err := engines.Open(ctx, url, warehouse.Options{ReadOnly: ro})
		return w, err
	}
	if w, err := open(context.Background(), "duckdb://"+db, nil, "", false); err == nil {
		w.Close()
		t.Fatal("opened a database file another process holds for writing")
	} else if c, reason, fix := classify(err); c != busy || reason != "warehouse_locked" || !strings.Contains(fix, "another process") {
		t.Fatalf("classify(%v) = %v %s %q, want busy warehouse_locked", err, c, reason, fix)
	}

	cycles := make(chan Cycle, 10)
	cfg := Config{Targets: []Target{{Bucket: "mem://", Warehouse: "duckdb://" + db, Schedule: "@every 1h"}},
		Grace: new(time.Second), Retry: Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 3}}
	d, err := New(context.Background(), cfg, Deps{
		OpenBucket:    func(context.Context, string) (*blob.Bucket, string, error) { return memblob.OpenBucket(nil), "", nil },
		OpenWarehouse: open,
		OnCycle:       func(c Cycle) { cycles <- c },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	c := <-cycles
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if cl, reason, _ := classify(c.Err); cl != busy || reason != "warehouse_locked" || len(c.Loaded) > 0 {
		t.Fatalf("cycle: %v (%v %s), %d loaded; want busy warehouse_locked, none", c.Err, cl, reason, len(c.Loaded))
	}
	rec := httptest.NewRecorder()
	d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `synctrack_warehouse_waits_total{reason="warehouse_locked"`) {
		t.Fatalf("no warehouse_locked wait in the metrics:\n%s", grepLines(rec.Body.String(), "synctrack_warehouse_waits_total"))
	}
}

func grepLines(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
