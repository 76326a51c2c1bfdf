package daemon_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	pb "cloud.google.com/go/pubsub/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/pstest"
	"github.com/prometheus/client_golang/prometheus"
	"gocloud.dev/pubsub"
	"gocloud.dev/pubsub/gcppubsub"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/synctrack/synctrack/daemon"
)

// GCS notifications reach the daemon through the real Pub/Sub client (the
// gcppubsub driver over gRPC) against pstest, the client library's own
// in-process fake: OBJECT_FINALIZE loads the run folder and is acknowledged
// on the server; any other event type is acknowledged and counted foreign.
func TestEventsGCSThroughPubSub(t *testing.T) {
	ctx := context.Background()
	srv := pstest.NewServer()
	t.Cleanup(func() { srv.Close() })
	conn, err := grpc.NewClient(srv.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	const topic, sub = "projects/acme/topics/sync-logs", "projects/acme/subscriptions/synctrack"
	if _, err := pb.NewPublisherClient(conn).CreateTopic(ctx, &pb.Topic{Name: topic}); err != nil {
		t.Fatal(err)
	}
	if _, err := pb.NewSubscriberClient(conn).CreateSubscription(ctx, &pb.Subscription{Name: sub, Topic: topic, AckDeadlineSeconds: 30}); err != nil {
		t.Fatal(err)
	}

	f := newFixture(t)
	f.reg = prometheus.NewRegistry()
	opener := &gcppubsub.URLOpener{Conn: conn}
	f.openSub = func(ctx context.Context, raw string) (*pubsub.Subscription, error) {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, err
		}
		return opener.OpenSubscriptionURL(ctx, u)
	}
	cfg := eventsConfig()
	cfg.Targets[0].Events = "gcppubsub://" + sub
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })

	keys := f.newRun(f.runFolders()[0], "9900010")
	srv.Publish(topic, daemon.NoticeBody(t, "gcs_finalize", "", keys[0]), daemon.GCSAttributes("", keys[0], "OBJECT_FINALIZE"))
	srv.Publish(topic, daemon.NoticeBody(t, "gcs_finalize", "", keys[0]), daemon.GCSAttributes("", keys[0], "OBJECT_DELETE"))
	c := f.waitCycle("the notified run", func(c daemon.Cycle) bool { return c.Scope == "events" })
	if c.Err != nil || len(c.Loaded) != len(keys) {
		t.Fatalf("events cycle: err %v, loaded %v, want %v", c.Err, c.Loaded, keys)
	}
	f.waitMetric(1, "synctrack_events_total", "result", "applied")
	f.waitMetric(1, "synctrack_events_total", "result", "foreign")
	deadline := time.Now().Add(time.Minute)
	for {
		acked := 0
		for _, m := range srv.Messages() {
			if m.Acks > 0 {
				acked++
			}
		}
		if acked == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 2 messages acknowledged on the server", acked)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
