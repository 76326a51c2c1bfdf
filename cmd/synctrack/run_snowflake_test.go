package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// The daemon drives a Snowflake target through its cycles with the wiring
// `synctrack run` uses (targetOpener, the real driver against the
// wire-level fake): the startup cycle loads every records file once, and the
// next cycle, with nothing new, loads nothing.
func TestRunSnowflakeTarget(t *testing.T) {
	f, wh := sfWarehouse(t)
	// The fake keeps no run state: the quiet-run sweep's count is scripted.
	f.Answer(`SELECT COUNT(*) FROM "SYNCTRACK"."SYNC_RUNS"`, []sffake.Column{{Name: "COUNT(*)", Type: "fixed"}}, [][]any{{"2"}})
	bucket := sfBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "2", "--files", "2", "--rows", "20")
	cycles := make(chan daemon.Cycle, 10)
	cfg := daemon.Config{Targets: []daemon.Target{{Name: "sf", Bucket: bucket, Warehouse: wh,
		Schedule: "@every 1s"}}}
	d, err := daemon.New(context.Background(), cfg, daemon.Deps{
		OpenBucket:    func(ctx context.Context, u string) (*blob.Bucket, string, error) { return openBucket(ctx, u, nil) },
		OpenWarehouse: targetOpener(nil, nil),
		OnCycle:       func(c daemon.Cycle) { cycles <- c },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	first := nextCycle(t, cycles)
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
	second := nextCycle(t, cycles)
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the daemon did not stop within 2 minutes of its context ending")
	}
	if second.Err != nil || len(second.Loaded) != 0 {
		t.Fatalf("second cycle: loaded %v, %v", second.Loaded, second.Err)
	}
}

// nextCycle waits for the daemon's next cycle; a hang fails the test instead
// of running into go test's own timeout.
func nextCycle(t *testing.T, cycles <-chan daemon.Cycle) daemon.Cycle {
	t.Helper()
	select {
	case c := <-cycles:
		return c
	case <-time.After(2 * time.Minute):
		t.Fatal("no daemon cycle in 2 minutes")
	}
	return daemon.Cycle{}
}

// A Snowflake URL the engine refuses is a config error, so the daemon does
// not back off and retry it; the message says what the URL should be.
func TestRunTargetBadSnowflakeURL(t *testing.T) {
	for _, raw := range []string{"snowflake://nobody", "snowflake://u:secret-pw@acct/db/s", "snowflake://u@acct/db/s?bogus=1"} {
		_, err := targetOpener(nil, nil)(context.Background(), raw, nil, "", false)
		if err == nil || warehouse.ClassOf(err) != warehouse.Config || strings.Contains(err.Error(), "secret-pw") {
			t.Errorf("%s: %v; want a config error without the secret", raw, err)
		}
	}
}
