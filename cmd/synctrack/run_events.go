package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"gocloud.dev/pubsub"
	_ "gocloud.dev/pubsub/gcppubsub"

	"github.com/synctrack/synctrack/internal/sqsevents"
	"github.com/synctrack/synctrack/warehouse"
)

// eventsDriver is a subscription URL scheme --events takes: the drivers the
// binary links. check reads a URL as open will, without connecting, so that
// --check refuses what the start refuses.
type eventsDriver struct {
	scheme, example string
	check           func(ctx context.Context, u *url.URL) error
	open            func(ctx context.Context, u *url.URL, log *slog.Logger) (*pubsub.Subscription, error)
}

var eventsDrivers = []eventsDriver{
	{sqsevents.Scheme, "awssqs://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE", sqsevents.Check, sqsevents.Open},
	{"gcppubsub", "gcppubsub://projects/PROJECT/subscriptions/SUB", checkPubSubURL,
		func(ctx context.Context, u *url.URL, _ *slog.Logger) (*pubsub.Subscription, error) {
			return pubsub.OpenSubscription(ctx, u.String())
		}},
}

func eventsDriverOf(u *url.URL) (eventsDriver, bool) {
	for _, d := range eventsDrivers {
		if d.scheme == u.Scheme {
			return d, true
		}
	}
	return eventsDriver{}, false
}

// checkEvents refuses an events URL no linked driver opens, or that its
// driver would refuse. key is where it came from (--events, or a target's
// events: key in the config file), which the message names.
func checkEvents(ctx context.Context, raw, key string) error {
	u, err := url.Parse(raw)
	d, ok := eventsDriver{}, false
	if err == nil {
		d, ok = eventsDriverOf(u)
	}
	if !ok {
		var want []string
		for _, d := range eventsDrivers {
			want = append(want, d.example)
		}
		return usageError("%s %q: not a subscription URL synctrack opens; want %s", key, raw, strings.Join(want, " or "))
	}
	if err := d.check(ctx, u); err != nil {
		return usageError("%s %q: %v", key, raw, err)
	}
	return nil
}

// eventsOpener opens a target's events URL for the daemon, with the SDK's own
// logging sent to log. A URL its driver refuses is a config error (exit 2).
func eventsOpener(log *slog.Logger) func(ctx context.Context, raw string) (*pubsub.Subscription, error) {
	return func(ctx context.Context, raw string) (*pubsub.Subscription, error) {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, warehouse.Wrap(err, warehouse.Config, "bad_url", "check the events URL")
		}
		d, ok := eventsDriverOf(u)
		if !ok {
			return nil, warehouse.Wrap(fmt.Errorf("events %q: no driver for %s://", raw, u.Scheme), warehouse.Config, "bad_url", "")
		}
		if err := d.check(ctx, u); err != nil {
			return nil, warehouse.Wrap(fmt.Errorf("events %q: %w", raw, err), warehouse.Config, "bad_url", "")
		}
		return d.open(ctx, u, log)
	}
}

// pubSubPath is a subscription as gocloud.dev's gcppubsub reads it: the full
// path, or PROJECT/SUB.
var pubSubPath = regexp.MustCompile(`^(projects/[^/]+/subscriptions/[^/]+|[^/]+/[^/]+)$`)

// checkPubSubURL checks a gcppubsub:// URL's subscription path and query as
// gocloud.dev's opener does: it refuses an unknown parameter at start, and
// takes a path of one segment, then fails every receive.
func checkPubSubURL(_ context.Context, u *url.URL) error {
	if !pubSubPath.MatchString(strings.TrimSuffix(u.Host+u.Path, "/")) {
		return fmt.Errorf("want gcppubsub://projects/PROJECT/subscriptions/SUB (or gcppubsub://PROJECT/SUB)")
	}
	for k, vs := range u.Query() {
		switch k {
		case "max_recv_batch_size":
			if n, err := strconv.Atoi(vs[0]); err != nil || n < 1 || n > 1000 {
				return fmt.Errorf("max_recv_batch_size=%q: want 1 to 1000", vs[0])
			}
		case "nacklazy":
			if _, err := strconv.ParseBool(vs[0]); err != nil {
				return fmt.Errorf("nacklazy=%q: want true or false", vs[0])
			}
		default:
			return fmt.Errorf("unknown query parameter %q (known: max_recv_batch_size, nacklazy)", k)
		}
	}
	return nil
}
