package daemon_test

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gocloud.dev/pubsub"
	"gocloud.dev/pubsub/mempubsub"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/internal/testbucket"
)

// memEvents gives the fixture an in-process topic for --events, whose
// subscription redelivers what is not acknowledged within ackDeadline.
func memEvents(t *testing.T, f *fixture, ackDeadline time.Duration) *pubsub.Topic {
	t.Helper()
	top := mempubsub.NewTopic()
	t.Cleanup(func() { _ = top.Shutdown(context.Background()) })
	f.reg = prometheus.NewRegistry()
	f.openSub = func(_ context.Context, u string) (*pubsub.Subscription, error) {
		if u != "mem://sync-logs" {
			t.Errorf("subscription URL %q", u)
		}
		return mempubsub.NewSubscription(top, ackDeadline), nil
	}
	return top
}

func publish(t *testing.T, top *pubsub.Topic, body []byte, attrs map[string]string) {
	t.Helper()
	if err := top.Send(context.Background(), &pubsub.Message{Body: body, Metadata: attrs}); err != nil {
		t.Fatal(err)
	}
}

// metric sums a daemon metric's series whose labels include these (a
// histogram's by its count).
func (f *fixture) metric(name string, labels ...string) float64 {
	f.t.Helper()
	fams, err := f.reg.Gather()
	if err != nil {
		f.t.Fatal(err)
	}
	var sum float64
	for _, fam := range fams {
		if fam.GetName() != name {
			continue
		}
	series:
		for _, m := range fam.Metric {
			got := map[string]string{}
			for _, l := range m.Label {
				got[l.GetName()] = l.GetValue()
			}
			for i := 0; i < len(labels); i += 2 {
				if got[labels[i]] != labels[i+1] {
					continue series
				}
			}
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue() + float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

// waitMetric waits until a counter reaches want (a hang fails, after long).
func (f *fixture) waitMetric(want float64, name string, labels ...string) {
	f.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for f.metric(name, labels...) < want {
		if time.Now().After(deadline) {
			f.t.Fatalf("%s%v = %v, want %v", name, labels, f.metric(name, labels...), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func eventsConfig() daemon.Config {
	return daemon.Config{EventsDebounce: 50 * time.Millisecond, Targets: []daemon.Target{{
		Schedule: "@every 1h", Events: "mem://sync-logs", ReconcileSchedule: "@every 1h"}}}
}

// A notification loads its run folder (and lists nothing else), is
// acknowledged once that load committed, and the same notification again,
// as a redelivery, loads nothing twice.
func TestEventsLoadTheFolderTheyName(t *testing.T) {
	f := newFixture(t)
	top := memEvents(t, f, time.Minute)
	f.start(eventsConfig())
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })

	runs := f.runFolders()
	keys := f.newRun(runs[0], "9900001")
	folder := keys[0][:strings.LastIndexByte(keys[0], '/')+1]
	for _, shape := range []string{"s3_put", "sns_envelope", "eventbridge_created"} { // a burst: one load
		publish(t, top, daemon.NoticeBody(t, shape, "", keys[0]), nil)
	}
	c := f.waitCycle("loading the new run", func(c daemon.Cycle) bool { return c.Scope == "events" })
	if c.Err != nil || len(c.Loaded) != len(keys) || c.Report.Listed != len(keys) {
		t.Fatalf("events cycle: err %v, loaded %v, listed %d; want the %d objects of %s and nothing else listed",
			c.Err, c.Loaded, c.Report.Listed, len(keys), folder)
	}
	// Three messages about one object: acknowledged, applied once.
	f.waitMetric(1, "synctrack_events_total", "result", "applied")
	if n := f.metric("synctrack_event_lag_seconds"); n != 1 {
		t.Errorf("event lag observed %v times, want once", n)
	}
	rows := f.metric("synctrack_rows_loaded_total")

	// Redelivered: the folder is listed again, nothing loads.
	publish(t, top, daemon.NoticeBody(t, "s3_put", "", keys[1]), nil)
	c = f.waitCycle("the redelivery", func(c daemon.Cycle) bool { return c.Scope == "events" })
	if c.Err != nil || len(c.Loaded) != 0 || c.Report.UpToDate != len(keys) {
		t.Fatalf("redelivery: err %v, loaded %v, up to date %d", c.Err, c.Loaded, c.Report.UpToDate)
	}
	f.waitMetric(2, "synctrack_events_total", "result", "applied")
	f.shutdown()
	if got := f.metric("synctrack_rows_loaded_total"); got != rows {
		t.Errorf("rows loaded went from %v to %v on a redelivery", rows, got)
	}
	n := f.query("SELECT count(*) FROM synctrack.sync_records WHERE _file LIKE ?", folder+"%")
	if len(n) != 1 || n[0] == "0" {
		t.Fatalf("rows of %s: %v", folder, n)
	}
}

// A run folder whose name has a space and a '+', named by EventBridge's
// documented body with the key URL-encoded: the folder loads, and the
// other reading of the key lists nothing. Named again with the key as is,
// nothing loads twice.
func TestEventBridgeOddKeyLoadsOnce(t *testing.T) {
	f := newFixture(t)
	top := memEvents(t, f, time.Minute)
	f.start(eventsConfig())
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	keys := f.newRun(f.runFolders()[0], "run 9900004+x")
	publish(t, top, daemon.NoticeBody(t, "eventbridge_created", "", strings.ReplaceAll(url.QueryEscape(keys[0]), "%2F", "/")), nil)
	c := f.waitCycle("loading the new run", func(c daemon.Cycle) bool { return c.Scope == "events" })
	if c.Err != nil || len(c.Loaded) != len(keys) || c.Report.Listed != len(keys) {
		t.Fatalf("events cycle: err %v, loaded %v, listed %d; want the %d objects of the run and nothing else", c.Err, c.Loaded, c.Report.Listed, len(keys))
	}
	publish(t, top, daemon.NoticeBody(t, "eventbridge_created", "", keys[1]), nil)
	c = f.waitCycle("the same run, the key as is", func(c daemon.Cycle) bool { return c.Scope == "events" })
	if c.Err != nil || len(c.Loaded) != 0 || c.Report.UpToDate != len(keys) {
		t.Fatalf("again: err %v, loaded %v, up to date %d", c.Err, c.Loaded, c.Report.UpToDate)
	}
	f.waitMetric(2, "synctrack_events_total", "result", "applied")
	f.shutdown()
	for _, k := range keys {
		if n := f.query("SELECT count(*) FROM synctrack.load_ledger WHERE key = ?", k); len(n) != 1 || n[0] != "1" {
			t.Errorf("%s has %v ledger rows, want 1", k, n)
		}
	}
}

// Malformed and foreign messages are counted and acknowledged, and start no
// load; a tick with events on lists nothing.
func TestEventsMalformedAndForeign(t *testing.T) {
	f := newFixture(t)
	top := memEvents(t, f, 200*time.Millisecond) // anything not acknowledged comes back at once
	cfg := eventsConfig()
	cfg.Targets[0].Schedule = "@every 1s"
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	key := f.aParquet(f.runFolders()[0])
	publish(t, top, []byte("\x00not json"), nil)
	publish(t, top, daemon.NoticeBody(t, "s3_put", "", key)[:80], nil)
	publish(t, top, daemon.NoticeBody(t, "s3_test_event", "bkt", ""), nil)
	publish(t, top, daemon.NoticeBody(t, "s3_removed", "", key), nil)
	publish(t, top, daemon.NoticeBody(t, "s3_put", "", "elsewhere/1/2/3/x.parquet"), nil)
	publish(t, top, daemon.NoticeBody(t, "gcs_finalize", "", key), daemon.GCSAttributes("", key, "OBJECT_METADATA_UPDATE"))
	f.waitMetric(2, "synctrack_events_total", "result", "malformed")
	f.waitMetric(4, "synctrack_events_total", "result", "foreign")
	tick := f.waitCycle("a tick", func(c daemon.Cycle) bool { return c.Scope == "tick" })
	if tick.Err != nil || tick.Report.Listed != 0 {
		t.Fatalf("tick: err %v, listed %d, want nothing listed", tick.Err, tick.Report.Listed)
	}
	time.Sleep(time.Second) // past the ack deadline: a message not acknowledged would be received again
	if got := f.metric("synctrack_events_total", "result", "received"); got != 6 {
		t.Fatalf("received %v messages, want the 6 sent, each once", got)
	}
	if n := f.metric("synctrack_events_total", "result", "applied"); n != 0 {
		t.Fatalf("applied %v", n)
	}
}

// A message is acknowledged only once its load committed: while the
// warehouse cannot be opened it stays unacknowledged, and the load is kept
// for the next cycle; then it loads once.
func TestEventsAckOnlyAfterCommit(t *testing.T) {
	f := newFixture(t)
	top := memEvents(t, f, time.Minute)
	cfg := eventsConfig()
	cfg.Retry = daemon.Retry{Base: 10 * time.Millisecond, Max: 20 * time.Millisecond, Attempts: 2}
	cfg.Targets[0].Schedule = "@every 1s"
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	keys := f.newRun(f.runFolders()[1], "9900002")
	f.locked.Store(true)
	publish(t, top, daemon.NoticeBody(t, "eventbridge_created", "", keys[0]), nil)
	failed := f.waitCycle("failing on the lock", func(c daemon.Cycle) bool { return c.Scope == "events" })
	if failed.Err == nil {
		t.Fatal("the events cycle succeeded with the warehouse locked")
	}
	if n := f.metric("synctrack_events_total", "result", "applied"); n != 0 {
		t.Fatalf("acknowledged %v messages before their load committed", n)
	}
	f.locked.Store(false)
	c := f.waitCycle("the kept load", func(c daemon.Cycle) bool { return c.Err == nil && len(c.Loaded) > 0 })
	if len(c.Loaded) != len(keys) {
		t.Fatalf("loaded %v, want %v", c.Loaded, keys)
	}
	f.waitMetric(1, "synctrack_events_total", "result", "applied")
}

// The reconciliation lists the whole bucket and counts what it finds: an
// object that came without a notification.
func TestEventsReconciliationFindsTheMissed(t *testing.T) {
	f := newFixture(t)
	memEvents(t, f, time.Minute)
	cfg := eventsConfig()
	cfg.Targets[0].ReconcileSchedule = "@every 1s"
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	keys := f.newRun(f.runFolders()[0], "9900003")
	c := f.waitCycle("a reconciliation", func(c daemon.Cycle) bool { return c.Scope == "reconcile" && len(c.Loaded) > 0 })
	if len(c.Loaded) != len(keys) {
		t.Fatalf("reconciliation loaded %v, want %v", c.Loaded, keys)
	}
	f.waitMetric(float64(len(keys)), "synctrack_reconcile_findings_total")
}

// underPrefix moves the fixture's bucket under prefix in a new folder and
// points the fixture at it as a bucket URL with prefix=: the daemon's
// bucket names objects without the prefix, the store's notifications with it.
func (f *fixture) underPrefix(prefix string) {
	f.t.Helper()
	top := f.t.TempDir()
	dir := filepath.Join(top, filepath.FromSlash(strings.TrimSuffix(prefix, "/")))
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Rename(f.dir, dir); err != nil {
		f.t.Fatal(err)
	}
	f.dir, f.url = dir, "file://"+filepath.ToSlash(top)+"?metadata=skip&prefix="+url.QueryEscape(prefix)
	f.bucket = testbucket.Open(f.t, f.url)
}

// With a bucket URL's prefix=, notifications name objects with the prefix:
// the run folder they name loads, and a key outside the prefix is foreign.
// (Every notification was taken as foreign: found by a user audit.)
func TestEventsUnderABucketPrefix(t *testing.T) {
	f := newFixture(t)
	f.underPrefix("acme/logs/")
	top := memEvents(t, f, time.Minute)
	f.start(eventsConfig())
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	keys := f.newRun(f.runFolders()[0], "9900005")
	other := f.newRun(f.runFolders()[1], "9900006")
	publish(t, top, daemon.NoticeBody(t, "s3_put", "", other[0]), nil) // without the prefix: not this bucket's
	publish(t, top, daemon.NoticeBody(t, "s3_put", "", "acme/logs/"+keys[0]), nil)
	c := f.waitCycle("loading the new run", func(c daemon.Cycle) bool { return c.Scope == "events" })
	if c.Err != nil || len(c.Loaded) != len(keys) || !slices.Contains(c.Loaded, keys[0]) {
		t.Fatalf("events cycle: err %v, loaded %v; want %v", c.Err, c.Loaded, keys)
	}
	f.waitMetric(1, "synctrack_events_total", "result", "applied")
	if n := f.metric("synctrack_events_total", "result", "foreign"); n != 1 {
		t.Errorf("foreign %v, want 1: the key outside the prefix", n)
	}
}

// With events on, a startup cycle that fails keeps its listing of the
// bucket for the next cycle: the ticks list nothing, so it waited for the
// next reconciliation (found by a user audit). A failed reconciliation
// stays one, its findings counted.
func TestEventsFailedListingIsKept(t *testing.T) {
	f := newFixture(t)
	memEvents(t, f, time.Minute)
	cfg := eventsConfig()
	cfg.Retry = daemon.Retry{Base: 10 * time.Millisecond, Max: 20 * time.Millisecond, Attempts: 2}
	cfg.Targets[0].Schedule = "@every 1s"
	f.locked.Store(true)
	f.start(cfg)
	if c := f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" }); c.Err == nil {
		t.Fatal("the startup cycle succeeded with the warehouse locked")
	}
	f.locked.Store(false)
	c := f.waitCycle("the next that ends well", func(c daemon.Cycle) bool { return c.Err == nil })
	runs := slices.ContainsFunc(c.Loaded, func(k string) bool { return strings.HasPrefix(k, "sync_tracking_datasets/") })
	if !runs || !strings.Contains(c.Scope, "startup") {
		t.Fatalf("cycle %s after the failed startup loaded %v; want the run folders listed and loaded", c.Scope, c.Loaded)
	}
	if n := f.metric("synctrack_reconcile_findings_total"); n != 0 {
		t.Errorf("the startup's listing counted %v reconciliation findings", n)
	}
}

// A failed reconciliation is kept as one: the next cycle lists the bucket
// and counts what it finds.
func TestEventsFailedReconciliationIsKept(t *testing.T) {
	f := newFixture(t)
	memEvents(t, f, time.Minute)
	cfg := eventsConfig()
	cfg.Retry = daemon.Retry{Base: 10 * time.Millisecond, Max: 20 * time.Millisecond, Attempts: 2}
	cfg.Targets[0].Schedule = "@every 1s"
	cfg.Targets[0].ReconcileSchedule = "@every 5s" // the next is not the one after the failure
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	keys := f.newRun(f.runFolders()[0], "9900009")
	f.locked.Store(true)
	f.waitCycle("a failed reconciliation", func(c daemon.Cycle) bool { return strings.Contains(c.Scope, "reconcile") && c.Err != nil })
	f.locked.Store(false)
	c := f.waitCycle("the next that ends well", func(c daemon.Cycle) bool { return c.Err == nil })
	if !strings.Contains(c.Scope, "reconcile") || len(c.Loaded) != len(keys) {
		t.Fatalf("cycle %s after the failed reconciliation: loaded %v; want a reconciliation loading %v", c.Scope, c.Loaded, keys)
	}
	f.waitMetric(float64(len(keys)), "synctrack_reconcile_findings_total")
}

// The same notification delivered three times (S3 delivers at least once;
// SQS again past the visibility timeout) while its load waits on a held
// warehouse is one delivery: once the load commits, all three messages are
// acknowledged and it counts applied once, its lag observed once. Each
// copy was kept, and counted, on its own (found by a user audit).
func TestEventsRedeliveredCountOnce(t *testing.T) {
	f := newFixture(t)
	top := memEvents(t, f, time.Minute)
	cfg := eventsConfig()
	cfg.Retry = daemon.Retry{Base: 10 * time.Millisecond, Max: 20 * time.Millisecond, Attempts: 2}
	cfg.Targets[0].Schedule = "@every 1s"
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	keys := f.newRun(f.runFolders()[1], "9900011")
	f.locked.Store(true)
	for range 3 {
		publish(t, top, daemon.NoticeBody(t, "s3_put", "", keys[0]), nil)
	}
	f.waitMetric(3, "synctrack_events_total", "result", "received")
	time.Sleep(200 * time.Millisecond) // past the debounce: all three are queued
	for range 2 {                      // the second began with all three kept
		f.waitCycle("failing on the lock", func(c daemon.Cycle) bool { return c.Err != nil })
	}
	f.locked.Store(false)
	c := f.waitCycle("the kept load", loadedKey(keys[0]))
	if c.Err != nil || len(c.Loaded) != len(keys) {
		t.Fatalf("loaded %v (err %v), want %v", c.Loaded, c.Err, keys)
	}
	if n := f.metric("synctrack_events_total", "result", "applied"); n != 1 {
		t.Errorf("applied %v, want the notification counted once", n)
	}
	if n := f.metric("synctrack_event_lag_seconds"); n != 1 {
		t.Errorf("lag observed %v times, want once", n)
	}
}

// Each malformed or foreign message is logged with why: a malformed one as
// a WARN, a foreign one at info level (it was at debug level only, and a
// malformed one said no reason: found by a user audit), each reason once
// in a while, however many messages come for it.
func TestEventsDroppedSayWhy(t *testing.T) {
	f := newFixture(t)
	top := memEvents(t, f, time.Minute)
	var logs syncBuffer
	f.logger = slog.New(slog.NewTextHandler(&logs, nil))
	f.start(eventsConfig())
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	key := f.aParquet(f.runFolders()[0])
	for range 3 {
		publish(t, top, []byte("\x00not json"), nil)
	}
	publish(t, top, daemon.NoticeBody(t, "s3_test_event", "bkt", ""), nil)
	publish(t, top, daemon.NoticeBody(t, "s3_put", "", "elsewhere/1/2/3/x.parquet"), nil)
	publish(t, top, daemon.NoticeBody(t, "gcs_finalize", "", key), daemon.GCSAttributes("", key, "OBJECT_DELETE"))
	f.waitMetric(3, "synctrack_events_total", "result", "malformed")
	f.waitMetric(3, "synctrack_events_total", "result", "foreign")
	lines := strings.Split(logs.String(), "\n")
	count := func(parts ...string) int {
		n := 0
		for _, l := range lines {
			if !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(l, p) }) {
				n++
			}
		}
		return n
	}
	for _, want := range []struct {
		n     int
		parts []string
	}{
		{1, []string{"level=WARN", `reason="not a JSON object"`}},
		{1, []string{"level=INFO", "reason=", "s3:TestEvent"}},
		{1, []string{"level=INFO", "reason=", "key=elsewhere/1/2/3/x.parquet"}},
		{1, []string{"level=INFO", "reason=", "OBJECT_FINALIZE"}},
	} {
		if got := count(want.parts...); got != want.n {
			t.Errorf("%d log lines with %q, want %d:\n%s", got, want.parts, want.n, logs.String())
		}
	}
}
