package daemon

import (
	"context"
	"time"

	"gocloud.dev/gcerrors"
	"gocloud.dev/pubsub"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// eventsSettle is how long a receive must run without an error, once the
// subscription failed, before it counts as receiving again: an idle queue
// brings no message to say so. The SQS client retries a request 3 times
// (a dial may take 30s each) before it fails, so less could call a
// subscription that is still failing healthy.
const eventsSettle = 2 * time.Minute

func gcCode(codes ...gcerrors.ErrorCode) func(error) bool {
	return func(err error) bool {
		c := gcerrors.Code(err)
		for _, x := range codes {
			if c == x {
				return true
			}
		}
		return false
	}
}

// eventsRules map what a subscription (gocloud.dev/pubsub: SQS, Pub/Sub) says
// to a class. The AWS SDK's credential errors carry no code (gocloud.dev calls
// them Unknown), so they are known by their text.
var eventsRules = []warehouse.Rule{
	{Class: warehouse.Config, Reason: "credentials",
		Contains: []string{"get credentials", "failed to refresh cached credentials", "no ec2 imds role found",
			"could not find default credentials", "invalidclienttokenid", "unrecognizedclientexception",
			"security token included in the request is invalid", "expiredtoken", "signaturedoesnotmatch"},
		Hint: eventsCredentialsHint},
	{Class: warehouse.Config, Reason: "permission", Match: gcCode(gcerrors.PermissionDenied),
		Contains: []string{"accessdenied", "access denied", "not authorized"},
		Hint: "let synctrack's credentials read the queue (SQS: sqs:ReceiveMessage, sqs:DeleteMessage, " +
			"sqs:ChangeMessageVisibility, and kms:Decrypt on an encrypted queue; Pub/Sub: roles/pubsub.subscriber)"},
	{Class: warehouse.Config, Reason: "not_found", Match: gcCode(gcerrors.NotFound),
		Contains: []string{"nonexistentqueue", "queuedoesnotexist", "queue does not exist"},
		Hint:     "check the queue or subscription the events URL names, and its region"},
	{Class: warehouse.Config, Reason: "bad_url", Match: gcCode(gcerrors.InvalidArgument, gcerrors.Unimplemented),
		Contains: []string{"missing region", "unknown query parameter"},
		Hint:     "check the events URL"},
	{Class: warehouse.Resource, Reason: "quota", Match: gcCode(gcerrors.ResourceExhausted),
		Hint: "the queue's request rate or quota was exceeded; it is tried again later"},
}

const eventsCredentialsHint = "give synctrack credentials: for awssqs:// the usual AWS environment (AWS_ACCESS_KEY_ID, a profile, " +
	"an instance or pod role); for gcppubsub:// Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS)"

// noCredentialsRules come before warehouse.OSRules: with no AWS credentials
// anywhere the SDK asks the instance metadata service last, and on a
// machine without one (a laptop) that fails as the network would; a
// timeout or a 5xx from it may pass (loader.AWSCredentialRules).
var noCredentialsRules = loader.AWSCredentialRules(eventsCredentialsHint)

// eventsError gives an error from a subscription its class: no credentials
// first, then the network's, then the services'; anything else passes by
// itself (transient).
func eventsError(err error) error {
	err = warehouse.Classify(err, noCredentialsRules, warehouse.OSRules, eventsRules)
	return warehouse.Wrap(err, warehouse.Transient, "receive", "")
}

// eventsHealth is whether a target's subscription receives. Only while it
// fails does --schedule list the bucket: notifications are the only thing
// that loads new files between reconciliations.
type eventsHealth struct {
	down   time.Time // when it began failing; zero while it receives
	reason string    // the failure's class reason (credentials, permission, ...)
	err    string
	gen    int // failures so far: a late "receiving" from before one is ignored
}

// receiveOne is one Receive. While the subscription fails, one that runs
// eventsSettle without an error counts as receiving again.
func (t *target) receiveOne(ctx context.Context) (*pubsub.Message, error) {
	t.mu.Lock()
	h := t.events
	t.mu.Unlock()
	if h.down.IsZero() {
		return t.sub.Receive(ctx)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-t.d.deps.After(eventsSettle):
			t.receiving(h.gen)
		case <-done:
		}
	}()
	return t.sub.Receive(ctx)
}

// failing records that the subscription failed with err (classified) and
// logs it: at error level when it starts failing or fails another way, at
// debug level while it fails the same way (the counter counts each). It
// returns the wait before the next try: a transient failure backs off up to
// Retry.Max; one that retrying does not fix (credentials, permission, a
// missing queue) is tried once a --schedule period, as the listing that
// stands in for the notifications meanwhile.
func (t *target) failing(err error, n int) time.Duration {
	err = eventsError(err)
	c, reason, fix := classify(err)
	now := t.d.deps.Now()
	wait := t.d.cfg.Retry.backoff(n)
	if c == permanent || c == resource {
		wait = max(t.period(now), t.d.cfg.Retry.Max)
	}
	t.mu.Lock()
	first, changed := t.events.down.IsZero(), t.events.reason != reason
	if first {
		t.events.down = now
	}
	t.events.reason, t.events.err = reason, err.Error()
	t.events.gen++
	t.mu.Unlock()
	t.d.m.eventsUp.WithLabelValues(t.cfg.Name).Set(0)
	log := t.log.Debug
	if first || changed {
		log = t.log.Error
	}
	// err as text: slog's text handler prints an error with %+v, which for
	// gocloud.dev's errors is a stack trace over several lines. And without
	// the fix the class added to its text: fix= says it.
	log("events: the subscription fails; the bucket is listed on --schedule until it receives again",
		"class", warehouse.ClassOf(err).String(), "reason", reason, "err", warehouse.WithoutHint(err), "fix", fix, "next_try", wait)
	return wait
}

// receiving records that the subscription receives again, unless it failed
// again since gen.
func (t *target) receiving(gen int) {
	t.mu.Lock()
	since := t.events.down
	if t.events.gen != gen || since.IsZero() {
		t.mu.Unlock()
		return
	}
	t.events.down = time.Time{}
	t.mu.Unlock()
	t.d.m.eventsUp.WithLabelValues(t.cfg.Name).Set(1)
	t.log.Info("events: the subscription receives again; --schedule stops listing the bucket",
		"failed_for", t.d.deps.Now().Sub(since).Round(time.Second))
}

// received records that a message arrived: the subscription receives.
func (t *target) received() {
	t.mu.Lock()
	gen := t.events.gen
	t.mu.Unlock()
	t.receiving(gen)
}

// eventsDown says the subscription is failing.
func (t *target) eventsDown() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.events.down.IsZero()
}

// eventsNote says, for /readyz, that the subscription fails, or "".
func (t *target) eventsNote() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.events.down.IsZero() {
		return ""
	}
	return "events not received since " + t.events.down.UTC().Format(time.RFC3339) + " (" + t.events.reason +
		": " + redactPasswords(t.events.err) + "); listing the bucket on the schedule meanwhile"
}
