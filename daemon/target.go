package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
	"gocloud.dev/blob"
	"gocloud.dev/pubsub"

	"github.com/synctrack/synctrack/internal/lograte"
	"github.com/synctrack/synctrack/warehouse"
)

// target is one bucket and warehouse with its own queue: one cycle at a time.
type target struct {
	d      *Daemon
	cfg    Target
	log    *slog.Logger
	bucket *blob.Bucket
	root   string
	sched  cron.Schedule
	wake   chan struct{}
	// loading is set while a cycle runs: a stop while none does says so,
	// though the loop has not yet seen the stop.
	loading atomic.Bool
	// waiting is the class of the error a cycle waits to try again after
	// (in a backoff), or nil while it tries: a stop then cancels no load.
	waiting atomic.Pointer[class]
	// sub is the bucket notifications' subscription (--events), or nil;
	// bucketName is what they call the bucket; keyPrefix, the bucket URL's
	// prefix=, which their keys carry and the bucket's do not.
	sub        *pubsub.Subscription
	bucketName string
	keyPrefix  string
	events     eventsHealth // guarded by mu
	copies     copies       // guarded by mu
	// drops are when each reason a message was dropped for was last
	// logged (dropped); only the receive loop uses them.
	drops lograte.Limiter
	// heldSaid keeps the warning that runs a sync.completed named have
	// their metadata.json in quarantine to once an hour per set of files
	// (sayNotCompleted).
	heldSaid lograte.Limiter

	mu         sync.Mutex
	pending    scope
	cycles     int       // finished cycles
	lastOK     bool      // the last cycle succeeded
	lastGood   time.Time // when a cycle last succeeded
	last       LastCycle // how the last cycle ended
	lastReason string    // the failures metric's reason of the last cycle, when it failed
	failedRow  int       // cycles failed in a row (a stop by shutdown not counted), for the log once one succeeds
	failedAt   time.Time // when the first of them ended
	setUp      bool      // the warehouse was opened for writing once (schema made)
	warned     bool      // missing capabilities were logged
	openRuns   int64     // runs open after the last sweep; -1 unknown
	lastSweep  time.Time
	retained   time.Time // the retention cutoff of the last load that ended well
	// views are the syncs whose runs are loaded and typed views not rebuilt
	// (loader.Report.ViewsPending): the next cycle rebuilds them, with or
	// without new files. Not kept over a restart: the first cycle that
	// writes rebuilds every loaded sync's view instead (viewsAtStart).
	views []string
	// startViews is how many syncs the first writing cycle found loaded
	// and rebuilt the views of; viewsListed, that it has listed them.
	startViews     int
	viewsListed    bool
	viewsListTried time.Time // when a listing last failed
	// viewsFailed are the syncs whose typed views the last load could not
	// rebuild for a cause of their own (loader.Report.ViewErrors): every
	// load tries them again, and an idle daemon every viewsRetryEvery
	// (viewsTried: when a load last refreshed them). Not kept over a
	// restart either, but found again by the first cycle's rebuild.
	viewsFailed warehouse.ViewErrors
	viewsTried  time.Time
	// tried are the keys that failed in a try of the cycle under way: its
	// retries leave them for the next cycle. fresh are the keys its tries'
	// plans had that are new to the ledger (or new versions).
	tried map[string]bool
	fresh map[string]bool
	// unlisted are the notified folders whose listing failed in a try of
	// the cycle under way (planAlone), with why: its other folders load,
	// and these are kept for the next cycle.
	unlisted map[string]error
	// badKeys are the names not UTF-8 that the log has had (noteBadKeys):
	// once a key while the bucket has it.
	badKeys map[string]bool
	// factsVanished: the last listing of metadata/ had no fact file and the
	// ledger loaded ones (Plan.VanishedFacts), said once.
	factsVanished bool
	// factsFound: a look at metadata/ found its fact files; until then
	// each run tick lists metadata/ too (withFacts), for a facts period
	// from runsSeen, when a listing first had run files (runsListed: the
	// last plan's did); factsLeft: that period passed, and was said.
	// factsListed: the last plan's listing of metadata/ had a fact file.
	factsFound, factsListed, factsLeft, runsListed bool
	runsSeen                                       time.Time
	// named are the runs a sync.completed named that the last plan's
	// listing had objects of, and whether one was the run's metadata.json
	// and in quarantine (namedListing, namedHeld).
	named map[warehouse.RunRef]namedSeen
}

func newTarget(ctx context.Context, d *Daemon, c Target) (*target, error) {
	sched, err := cron.ParseStandard(c.Schedule)
	if err != nil {
		return nil, err
	}
	b, root, err := d.deps.OpenBucket(ctx, c.Bucket)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", c.Name, err)
	}
	t := &target{d: d, cfg: c, log: d.log.With("target", c.Name), bucket: b, root: root,
		sched: sched, wake: make(chan struct{}, 1), openRuns: -1,
		bucketName: bucketNameOf(c.Bucket), keyPrefix: bucketPrefixOf(c.Bucket)}
	if c.Events != "" {
		if t.sub, err = d.deps.OpenSubscription(ctx, c.Events); err != nil {
			b.Close()
			return nil, fmt.Errorf("target %s: events: %w", c.Name, eventsError(err))
		}
	}
	return t, nil
}

// schedule adds the target's cron jobs. Without events, Schedule lists the
// run folders and FactsSchedule the fact tables. With events, notifications
// bring both; Schedule only sweeps run states (it lists nothing), and
// ReconcileSchedule lists the whole bucket for what came without one. While
// the subscription fails, nothing brings them: Schedule and FactsSchedule
// list as without events, so files still load within a schedule period.
func (t *target) schedule(c *cron.Cron) error {
	type job struct {
		spec string
		s    func() scope
	}
	runs := func() scope { return scope{runs: true, why: "runs"} }
	facts := func() scope { return scope{facts: true, why: "facts"} }
	jobs := []job{{t.cfg.Schedule, runs}, {t.cfg.FactsSchedule, facts}}
	if t.sub != nil {
		jobs = []job{
			{t.cfg.Schedule, func() scope {
				if t.eventsDown() {
					return runs()
				}
				return scope{tick: true, why: "tick"}
			}},
			{t.cfg.FactsSchedule, func() scope {
				if t.eventsDown() {
					return facts()
				}
				return scope{}
			}},
			{t.cfg.ReconcileSchedule, func() scope { return scope{runs: true, facts: true, reconcile: true, why: "reconcile"} }},
		}
	}
	for _, j := range jobs {
		if _, err := c.AddFunc(j.spec, func() {
			if s := j.s(); !s.empty() {
				t.request(s)
			}
		}); err != nil {
			return err
		}
	}
	return nil
}

// request adds work for the next cycle and wakes the loop.
func (t *target) request(s scope) {
	t.mu.Lock()
	t.pending.merge(s)
	t.mu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// loop runs one cycle per wake-up until ctx ends. loadCtx outlives ctx by the
// grace period, so the cycle in flight may finish.
func (t *target) loop(ctx, loadCtx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.wake:
		}
		// Set before ctx is checked: drain, which runs once ctx is done,
		// sees a cycle that may start, or none starts.
		t.loading.Store(true)
		if ctx.Err() != nil {
			t.loading.Store(false)
			return
		}
		t.mu.Lock()
		s := t.pending
		t.pending = scope{}
		t.copies.fly(s)
		t.mu.Unlock()
		if !s.empty() {
			t.run(ctx, loadCtx, t.withFacts(s))
		}
		t.loading.Store(false)
	}
}

// period is the time between two ticks of the runs schedule.
func (t *target) period(now time.Time) time.Duration {
	next := t.sched.Next(now)
	return t.sched.Next(next).Sub(next)
}

// unready says why the target is not ready, or "".
func (t *target) unready(now time.Time) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.lastOK:
		return ""
	case t.cycles == 0 && now.Sub(t.d.started) <= 2*t.period(now):
		return ""
	case !t.lastGood.IsZero() && now.Sub(t.lastGood) <= 2*t.period(now):
		return ""
	case t.lastGood.IsZero():
		return "no cycle has succeeded yet" + t.lastFailure()
	}
	return "last success " + t.lastGood.UTC().Format(time.RFC3339) + t.lastFailure()
}

// lastFailure says how the last cycle failed, for /readyz: its reason
// (the log's and the failures metric's) and when; a probe or a user
// reading /readyz should not need the log to know that much (found by a
// user audit). Not the message: /readyz answers without the pages' secret,
// and a message names paths, objects, hosts and users (a review); the log
// and the pages have it.
func (t *target) lastFailure() string {
	if t.last.Err == "" {
		return "" // the first cycle has not ended
	}
	return "; last cycle failed (" + t.lastReason + ") at " + t.last.At.UTC().Format(time.RFC3339) + ": the log and the pages say why"
}

// userinfo is a URL's user and password: scheme://user:password@, the
// password up to the last @ of the word (one may hold an @ or a /).
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://[^\s/@:]*):\S*@`)

// redactPasswords replaces the password of each URL in s with xxxxx.
func redactPasswords(s string) string {
	return userinfo.ReplaceAllString(s, "${1}:xxxxx@")
}
