package daemon

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gocloud.dev/pubsub"
)

// dropSaidEvery is how often each reason a message is dropped for is
// logged above debug level: a notification filter that lets the whole
// bucket through sends a message per object, thousands an hour, and the
// log should say so, not be it. Every message is logged once, the others
// at debug level; the counter counts each.
const dropSaidEvery = 10 * time.Minute

// dropped logs a message that is malformed or foreign (err says which, and
// why) and returns its synctrack_events_total result. A malformed one is a
// WARN, a foreign one INFO, each reason at most once every dropSaidEvery.
// Only the receive loop calls it.
func (t *target) dropped(msg *pubsub.Message, err error) string {
	result, level := evForeign, slog.LevelInfo
	text := "events: a message about nothing of ours; acknowledged"
	if errors.Is(err, errMalformed) {
		result, level = evMalformed, slog.LevelWarn
		text = "events: a message no known notification shape reads; acknowledged and dropped"
	}
	reason := dropReason(err)
	args := []any{"id", msg.LoggableID, "reason", reason, "bytes", len(msg.Body)}
	var d *dropError
	if errors.As(err, &d) && d.key != "" {
		key := d.key
		if len(key) > 200 {
			key = key[:200] + "..."
		}
		args = append(args, "key", key)
	}
	due, since := t.drops.Due(result+" "+reason, t.d.deps.Now(), dropSaidEvery)
	if !due {
		t.log.Debug(text, args...)
		return result
	}
	if since > 0 {
		args = append(args, "more_since", since)
	}
	t.log.Log(context.Background(), level, text, append(args, "said_again_after", dropSaidEvery)...)
	return result
}
