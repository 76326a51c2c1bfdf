package snowflake

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

// The daemon drives a Snowflake target through its startup cycle with the
// load lease taken before the first statement of the load and released after
// the last, and the loaded runs' state kept in sync_runs.
func TestDaemonCycleTakesLease(t *testing.T) {
	f := sffake.New(t)
	// The fake keeps no run state: the sweep's count of open runs is scripted
	// (both runs of the bucket are new, so open).
	f.Answer(`SELECT COUNT(*) FROM "SYNCTRACK"."SYNC_RUNS"`, []sffake.Column{{Name: "COUNT(*)", Type: "fixed"}}, [][]any{{"2"}})
	b := testBucket(t, 1)
	url := f.URL("&stage=ANALYTICS.SYNCTRACK.SYNC_LOGS")
	cycles := make(chan daemon.Cycle, 10)
	deps := daemon.Deps{
		Now: clock,
		OpenBucket: func(context.Context, string) (*blob.Bucket, string, error) {
			return b, "", nil
		},
		OpenWarehouse: func(ctx context.Context, u string, _ *blob.Bucket, _ string, readOnly bool) (warehouse.Warehouse, error) {
			c, err := ParseURL(u, func(k string) string { return map[string]string{EnvPassword: "pw"}[k] })
			if err != nil {
				return nil, err
			}
			return Open(ctx, c, Options{Now: clock, ReadOnly: readOnly})
		},
		OnCycle: func(c daemon.Cycle) { cycles <- c },
	}
	cfg := daemon.Config{LeaseTTL: 5 * time.Minute, Targets: []daemon.Target{{Name: "sf", Bucket: "mem://",
		Warehouse: url, Schedule: "@every 1h", FactsSchedule: "@every 1h"}}}
	d, err := daemon.New(context.Background(), cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var c daemon.Cycle
	select {
	case c = <-cycles:
	case <-time.After(time.Minute):
		t.Fatal("no cycle")
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if c.Err != nil || c.Report == nil || c.Report.Files == 0 {
		t.Fatalf("startup cycle: %+v", c)
	}
	stmts := f.Statements()
	first := func(prefix string) int {
		for i, s := range stmts {
			if strings.HasPrefix(s, prefix) {
				return i
			}
		}
		t.Fatalf("no statement starts with %q:\n%s", prefix, strings.Join(stmts, "\n---\n"))
		return -1
	}
	last := func(prefix string) int {
		n := -1
		for i, s := range stmts {
			if strings.HasPrefix(s, prefix) {
				n = i
			}
		}
		return n
	}
	acquire, release := first(leaseMerge), first(`DELETE FROM "SYNCTRACK"."DAEMON_LEASE"`)
	if !strings.Contains(stmts[acquire], `TO_TIMESTAMP_TZ('2025-11-20T08:35:00Z')`) {
		t.Errorf("lease not taken for the TTL:\n%s", stmts[acquire])
	}
	if c := count(stmts, leaseMerge); c != 1 {
		t.Errorf("%d lease MERGEs in one short cycle, want 1 (no heartbeat due)", c)
	}
	copyAt, reopen := first("COPY INTO"), first(`UPDATE "SYNCTRACK"."SYNC_RUNS" t SET "STATE" = 'open'`)
	if !(acquire < copyAt && last("COPY INTO") < reopen && reopen < release && release == len(stmts)-1) {
		t.Errorf("want lease, COPYs, run state, release in that order: lease %d, first COPY %d, last COPY %d, reopen %d, release %d of %d",
			acquire, copyAt, last("COPY INTO"), reopen, release, len(stmts))
	}
	if !strings.Contains(stmts[release], `"HOLDER" = '`) {
		t.Errorf("release does not name its holder: %s", stmts[release])
	}
}
