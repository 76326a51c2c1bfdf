package daemon_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gocloud.dev/pubsub"
	_ "gocloud.dev/pubsub/awssnssqs"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/internal/sqsfake"
)

// S3 notifications reach the daemon through an awssqs:// URL, opened as a
// user's is, and the real AWS SDK client against an in-process SQS: straight
// from S3, through SNS and through EventBridge. Each message, foreign and
// malformed ones too, is deleted from the queue exactly once (received once:
// nothing comes back after the visibility timeout), and the notification
// delivered again loads nothing twice.
func TestEventsS3ThroughSQS(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	// A message comes back once its visibility timeout passes unacknowledged:
	// 5 s is longer than a cycle takes on a busy CI machine (at 1 s, two of
	// the five came back there while their load was still running).
	const visibility = 5 * time.Second
	q := sqsfake.New(t, visibility)
	f := newFixture(t)
	f.reg = prometheus.NewRegistry()
	f.openSub = pubsub.OpenSubscription
	cfg := eventsConfig()
	host := strings.TrimPrefix(q.Endpoint(), "http://")
	cfg.Targets[0].Events = "awssqs://" + host + "/000000000000/sync-logs?region=us-east-1&waittime=1s&endpoint=" + url.QueryEscape(q.Endpoint())
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })

	a := f.newRun(f.runFolders()[0], "9900020")
	b := f.newRun(f.runFolders()[1], "9900021")
	q.Send(string(daemon.NoticeBody(t, "sns_envelope", "", a[0])))
	q.Send(string(daemon.NoticeBody(t, "eventbridge_created", "", b[0])))
	q.Send(string(daemon.NoticeBody(t, "s3_test_event", "sync-logs", "")))
	q.Send("{\"Records\": [")
	loaded := map[string]bool{}
	for len(loaded) < len(a)+len(b) {
		c := f.waitCycle("the notified runs", func(c daemon.Cycle) bool { return c.Scope == "events" })
		if c.Err != nil {
			t.Fatal(c.Err)
		}
		for _, k := range c.Loaded {
			loaded[k] = true
		}
	}
	f.waitMetric(2, "synctrack_events_total", "result", "applied")
	rows := f.metric("synctrack_rows_loaded_total")
	q.Send(string(daemon.NoticeBody(t, "s3_put", "", a[1]))) // S3 delivers at least once
	c := f.waitCycle("the repeat", func(c daemon.Cycle) bool { return c.Scope == "events" })
	if c.Err != nil || len(c.Loaded) != 0 || f.metric("synctrack_rows_loaded_total") != rows {
		t.Fatalf("the repeated notification: err %v, loaded %v", c.Err, c.Loaded)
	}
	f.waitMetric(3, "synctrack_events_total", "result", "applied")
	if f.metric("synctrack_events_total", "result", "malformed") != 1 || f.metric("synctrack_events_total", "result", "foreign") != 1 {
		t.Fatalf("malformed %v, foreign %v; want 1 each", f.metric("synctrack_events_total", "result", "malformed"),
			f.metric("synctrack_events_total", "result", "foreign"))
	}
	deadline := time.Now().Add(time.Minute)
	for {
		deleted, _ := q.Stats()
		if deleted == 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 5 messages deleted from the queue", deleted)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(visibility + 500*time.Millisecond) // past the visibility timeout
	if deleted, receives := q.Stats(); deleted != 5 || receives != 5 {
		t.Fatalf("deleted %d, received %d times; want each of the 5 once", deleted, receives)
	}
}
