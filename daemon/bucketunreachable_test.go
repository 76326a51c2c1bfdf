package daemon_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/faultproxy"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/warehouse"
)

// With events on, an idle tick lists nothing, yet it asks an S3 bucket for
// one key: a bucket that stops answering fails the idle ticks (bucket, a
// transient reason) rather than going unnoticed until a notification or the
// reconciliation, a day away; once it answers, the ticks clear.
func TestEventsIdleTickBucketUnreachable(t *testing.T) {
	url := testbucket.S3(t, "logs")
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 1, 1, 10
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, url), o); err != nil {
		t.Fatal(err)
	}
	proxy := faultproxy.Start(t, testbucket.Endpoint(url))
	f := &fixture{t: t, url: testbucket.WithEndpoint(url, proxy.URL), db: filepath.Join(t.TempDir(), "w.duckdb"),
		cycles: make(chan daemon.Cycle, 100)}
	memEvents(t, f, time.Minute)
	cfg := eventsConfig()
	cfg.Targets[0].Schedule = "@every 1s"
	cfg.Retry = daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 2}
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	f.waitCycle("an idle tick", func(c daemon.Cycle) bool { return c.Scope == "tick" && c.Err == nil })

	proxy.Inject(faultproxy.Rule{Match: faultproxy.List("logs"), Fault: faultproxy.Error503})
	var c daemon.Cycle
	for range 2 { // the first may have begun before the fault
		c = f.waitCycle("a tick", func(c daemon.Cycle) bool { return c.Scope == "tick" })
	}
	if reason, _ := warehouse.Explain(c.Err); c.Err == nil || reason != "bucket" {
		t.Fatalf("idle tick with every listing of the bucket failing: err %v (reason %q); want the bucket's error", c.Err, reason)
	}
	proxy.Off()
	f.waitCycle("a tick once the bucket answers", func(c daemon.Cycle) bool { return c.Scope == "tick" && c.Err == nil })
}
