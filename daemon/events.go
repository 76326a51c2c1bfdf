package daemon

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"gocloud.dev/pubsub"

	"github.com/synctrack/synctrack/loader"
)

// delivery is one received message that named objects of ours, held until the
// cycle that loads them commits: only then is it acknowledged.
type delivery struct {
	msg     *pubsub.Message
	at      time.Time // the earliest object time it names, else when it arrived
	folders []string  // the run folders it names
	// key is the objects it names, sorted: a message about the same ones
	// (a redelivery, S3 sending one twice) joins it in dups, to be
	// acknowledged with it but counted once.
	key  string
	dups []*pubsub.Message
}

// messages are d's message and those of its duplicates.
func (d delivery) messages() []*pubsub.Message {
	return append([]*pubsub.Message{d.msg}, d.dups...)
}

// Event results, the label of synctrack_events_total.
const (
	evReceived  = "received"
	evApplied   = "applied"
	evMalformed = "malformed"
	evForeign   = "foreign"
)

// receive takes messages from the target's subscription until ctx ends,
// turning each into the run folders (or the fact tables) it names; they go
// to the debouncer. A message no documented shape reads, or that names
// nothing of ours, is counted, logged and acknowledged at once: it must not
// come back forever. A subscription that fails is opened again after a wait
// (failing); meanwhile --schedule lists the bucket.
func (t *target) receive(ctx context.Context, out chan<- scope) {
	m, name := t.d.m, t.cfg.Name
	m.eventsUp.WithLabelValues(name).Set(1)
	fails := 0
	for ctx.Err() == nil {
		msg, err := t.receiveOne(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			m.events.WithLabelValues(name, "receive_error").Inc()
			if !t.eventsDown() {
				fails = 0 // it had received again since the last failure
			}
			for err != nil { // wait, open it again, until it opens
				fails++
				wait := t.failing(err, fails)
				select {
				case <-ctx.Done():
					return
				case <-t.d.deps.After(wait):
				}
				err = t.reopen(ctx)
			}
			continue
		}
		t.received()
		m.events.WithLabelValues(name, evReceived).Inc()
		s, err := t.scopeOf(msg)
		if err != nil {
			m.events.WithLabelValues(name, t.dropped(msg, err)).Inc()
			msg.Ack()
			continue
		}
		if t.holdCopy(msg) {
			continue
		}
		select {
		case out <- s:
		case <-ctx.Done():
			nack(s.events)
			return
		}
	}
}

// scopeOf is what one message asks to load: the run folder of each records
// file or metadata.json it names, the fact tables for a fact file.
func (t *target) scopeOf(msg *pubsub.Message) (scope, error) {
	ns, err := parseNotice(msg.Body, msg.Metadata)
	if err != nil {
		return scope{}, err
	}
	s := scope{why: "events"}
	at := t.d.deps.Now()
	var keys []string
	var skipped *dropError // why the first notice not of ours is not
	skip := func(n notice, reason string) {
		if skipped == nil {
			skipped = &dropError{kind: errForeign, reason: reason, key: n.Key}
		}
	}
	for _, n := range ns {
		if t.bucketName != "" && n.Bucket != "" && n.Bucket != t.bucketName {
			skip(n, "another bucket's object") // on the same queue
			continue
		}
		// A prefixed bucket (prefix=) names its objects without the
		// prefix; the store's notifications name them in full.
		key, ok := strings.CutPrefix(n.Key, t.keyPrefix)
		if !ok {
			skip(n, "a key outside the bucket URL's prefix=")
			continue
		}
		o := loader.Classify(key)
		switch o.Kind {
		case loader.KindRecords, loader.KindMetadata:
			if s.folders == nil {
				s.folders = map[string]bool{}
			}
			s.folders[loader.RunFolder(o)] = true
		case loader.KindFact:
			s.facts = true
		default:
			skip(n, "a key that is no records, metadata.json or fact file of ours")
			continue
		}
		keys = append(keys, key)
		if !n.At.IsZero() && n.At.Before(at) {
			at = n.At
		}
	}
	if s.empty() {
		if skipped == nil { // no notice at all
			return scope{}, foreign("a notification that names no object")
		}
		return scope{}, skipped
	}
	slices.Sort(keys)
	s.events = []delivery{{msg: msg, at: at, folders: slices.Sorted(maps.Keys(s.folders)),
		key: strings.Join(slices.Compact(keys), "\n")}}
	return s, nil
}

// debounce gathers what messages ask for until no new one came for the
// debounce time (or the first has waited ten times that), then queues it as
// one cycle: a burst of batch files in one run folder becomes one load.
func (t *target) debounce(ctx context.Context, in <-chan scope) {
	quiet := t.d.cfg.EventsDebounce
	var acc scope
	var timer <-chan time.Time
	var first time.Time
	for {
		select {
		case <-ctx.Done():
			nack(acc.events)
			return
		case s := <-in:
			now := t.d.deps.Now()
			if acc.empty() {
				first = now
			}
			acc.merge(s)
			timer = t.d.deps.After(max(min(quiet, first.Add(10*quiet).Sub(now)), 0))
		case <-timer:
			t.request(acc)
			acc, timer = scope{}, nil
		}
	}
}

// settle acknowledges the events of a cycle that committed, and observes
// their lag: from the object's time (or the message's arrival) to now.
func (t *target) settle(evs []delivery) {
	now := t.d.deps.Now()
	for _, e := range evs {
		for _, m := range e.messages() {
			m.Ack()
		}
		t.d.m.events.WithLabelValues(t.cfg.Name, evApplied).Inc()
		t.d.m.eventLag.WithLabelValues(t.cfg.Name).Observe(max(now.Sub(e.at), 0).Seconds())
	}
}

// nack hands messages back for redelivery now, where the service can.
func nack(evs []delivery) {
	for _, e := range evs {
		for _, m := range e.messages() {
			if m.Nackable() {
				m.Nack()
			}
		}
	}
}

// reopen replaces a failed subscription with a new one.
func (t *target) reopen(ctx context.Context) error {
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	_ = t.sub.Shutdown(sctx)
	cancel()
	sub, err := t.d.deps.OpenSubscription(ctx, t.cfg.Events)
	if err != nil {
		return fmt.Errorf("open the subscription again: %w", err)
	}
	t.sub = sub
	return nil
}

// bucketNameOf is the bucket's name in a bucket URL (s3://NAME, gs://NAME),
// which notifications carry; "" for local buckets, whose notices are not checked.
func bucketNameOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "file" || u.Scheme == "mem" {
		return ""
	}
	return u.Host
}

// bucketPrefixOf is a bucket URL's prefix= (gocloud.dev's PrefixedBucket),
// or "".
func bucketPrefixOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Query().Get("prefix")
}

// SafeURL is a subscription URL for the log and --check, as written but
// for its secrets: its password, a password in a URL one of its parameters
// holds (endpoint=), and the value of a parameter whose name says it is a
// secret are xxxxx. gocloud.dev's drivers take no secret in the URL today;
// an endpoint may.
func SafeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redactPasswords(raw)
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	params := strings.Split(u.RawQuery, "&")
	for i, p := range params {
		k, v, _ := strings.Cut(p, "=")
		name, _ := url.QueryUnescape(k)
		if secretParam(name) {
			params[i] = k + "=xxxxx"
		} else if plain, err := url.QueryUnescape(v); err == nil && redactPasswords(plain) != plain {
			params[i] = k + "=" + redactPasswords(plain)
		}
	}
	u.RawQuery = strings.Join(params, "&")
	return u.String()
}

// secretParam says a URL parameter's name is that of a secret.
func secretParam(name string) bool {
	name = strings.ToLower(name)
	for _, s := range []string{"secret", "token", "password", "passwd", "key", "credential", "signature"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}
