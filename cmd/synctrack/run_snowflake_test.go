package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/daemon"
)

// The daemon drives a Snowflake target through its cycles with the wiring
// `synctrack run` uses (openTargetWarehouse, the real driver against the
// wire-level fake): the startup cycle loads every records file once, and the
// next cycle, with nothing new, loads nothing.
func TestRunSnowflakeTarget(t *testing.T) {
	f, wh := sfWarehouse(t)
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "2", "--files", "2", "--rows", "20")
	cycles := make(chan daemon.Cycle, 10)
	cfg := daemon.Config{Targets: []daemon.Target{{Name: "sf", Bucket: "file://" + bucket, Warehouse: wh,
		Schedule: "@every 1s"}}}
	d, err := daemon.New(context.Background(), cfg, daemon.Deps{
		OpenBucket:    func(ctx context.Context, u string) (*blob.Bucket, string, error) { return openBucket(ctx, u) },
		OpenWarehouse: openTargetWarehouse,
		Permanent:     permanentWarehouseError,
		OnCycle:       func(c daemon.Cycle) { cycles <- c },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	first := <-cycles
	if first.Err != nil || first.Report == nil {
		t.Fatalf("startup cycle: %v", first.Err)
	}
	records := 0
	for _, k := range first.Loaded {
		if strings.HasSuffix(k, ".parquet") && strings.HasPrefix(k, "sync_tracking_datasets/") {
			records++
			if n := f.Copied()[k]; n != 1 {
				t.Errorf("%s copied %d times", k, n)
			}
		}
	}
	if records != 4 {
		t.Fatalf("startup cycle loaded %d records files, want 4 (loaded: %v)", records, first.Loaded)
	}
	second := <-cycles
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if second.Err != nil || len(second.Loaded) != 0 {
		t.Fatalf("second cycle: loaded %v, %v", second.Loaded, second.Err)
	}
}

// A Snowflake URL the engine refuses is a permanent error with the fix, so
// the daemon does not back off and retry it.
func TestRunTargetBadSnowflakeURL(t *testing.T) {
	_, err := openTargetWarehouse(context.Background(), "snowflake://nobody", nil, "", false)
	var pe *daemon.PermanentError
	if err == nil || !errors.As(err, &pe) || !strings.Contains(pe.Fix, "snowflake://") {
		t.Fatalf("bad URL: %v", err)
	}
}
