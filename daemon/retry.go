package daemon

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/synctrack/synctrack/warehouse"
)

// What the scheduler does with an error.
type class int

const (
	transient class = iota // retry with backoff
	busy                   // someone else holds the warehouse: wait with backoff
	resource               // disk, memory, quota: no retry this cycle; the next tick tries again
	permanent              // config: log once with the fix, wait for the next tick
	stopped                // shutting down
)

// errLeaseHeld is another daemon holding the warehouse's lease.
var errLeaseHeld = errors.New("another daemon holds the load lease")

// classify decides what an error means for the cycle from its class (every
// engine, the bucket and the loader classify what they return), names it for
// the failures metric, and says how to fix what retrying cannot.
func classify(err error) (c class, reason, fix string) {
	switch {
	case errors.Is(err, context.Canceled):
		return stopped, "stopped", ""
	case errors.Is(err, errLeaseHeld):
		return busy, "lease_held", ""
	case errors.Is(err, errLeaseLost):
		return busy, "lease_lost", ""
	}
	reason, fix = warehouse.Explain(err)
	switch warehouse.ClassOf(err) {
	case warehouse.Config:
		return permanent, or(reason, "config"), fix
	case warehouse.Resource:
		return resource, or(reason, "resource"), fix
	case warehouse.Transient:
		if reason == "locked" {
			return busy, "warehouse_locked", fix
		}
		if reason == "bucket_gone" {
			// A folder unmounted or moved is not back in a second: said
			// with its fix, the next tick looks again (it warned at each
			// try within the cycle, five times a tick).
			return permanent, reason, fix
		}
		return transient, or(reason, "transient"), fix
	}
	return transient, "transient", fix
}

// stoppedWaiting is a cycle stopped during a wait between two tries: no
// load was in flight, and no batch rolled back (a stop while waiting for a
// warehouse lock said both: found by a user audit). class is the last
// error's.
type stoppedWaiting struct {
	stop, last error
	class      class
}

func (e *stoppedWaiting) Error() string {
	return e.stop.Error() + " while waiting to try again after: " + e.last.Error()
}

func (e *stoppedWaiting) Unwrap() []error { return []error{e.stop, e.last} }

// stoppedWhileWaiting says what a stop during a wait between two tries
// left behind, from the class and reason of the error waited on. A lost
// lease cut a load short before the wait: it rolled back (it was said as
// "no load had started").
func stoppedWhileWaiting(c class, reason string) string {
	switch {
	case reason == "lease_lost":
		return "cycle stopped by shutdown while waiting for the load lease (another daemon took it); the batch in flight when it was lost had rolled back"
	case reason == "lease_held":
		return "cycle stopped by shutdown while waiting for the load lease (another daemon holds it); no load had started"
	case c == busy:
		return "cycle stopped by shutdown while waiting for the warehouse (another process holds it); no load had started"
	}
	return "cycle stopped by shutdown while waiting to try again; no load was in flight"
}

// backoff returns the wait before attempt n (from 1): Base doubled n-1 times,
// capped at Max, with jitter in its upper half so daemons spread out.
func (r Retry) backoff(n int) time.Duration {
	d := r.Base
	for i := 1; i < n && d < r.Max; i++ {
		d *= 2
	}
	d = min(d, r.Max)
	return d/2 + rand.N(d/2+1)
}

// retry runs fn until it succeeds, fails permanently, or has had r.Attempts
// tries. wait is told of each wait before it happens. A wait (on after, the
// clock's timer) ends at once when stop ends: a daemon shutting down does not
// sit out a backoff.
func (r Retry) retry(stop context.Context, after func(time.Duration) <-chan time.Time,
	classify func(error) (class, string, string), fn func() error,
	wait func(err error, c class, reason string, attempt int, d time.Duration)) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		c, reason, _ := classify(err)
		if stop.Err() != nil && c != permanent && c != resource && c != stopped {
			// Stopped while this try ran: the cycle was stopped, as when
			// stopped during the wait after it. It was returned as a
			// failure of the try's error (a CI run's TestShutdownDuringBackoff,
			// its stop landing before the wait began).
			return &stoppedWaiting{stop: stop.Err(), last: err, class: c}
		}
		if c == permanent || c == resource || c == stopped || attempt >= r.Attempts {
			if attempt > 1 && c != permanent && c != resource && c != stopped {
				return fmt.Errorf("after %d attempts: %w", attempt, err)
			}
			return err
		}
		d := r.backoff(attempt)
		wait(err, c, reason, attempt, d)
		select {
		case <-stop.Done():
			// Stopped while waiting to try again: the cycle was stopped, not
			// failed (it was logged and counted as a failure of its last
			// error: found by a review).
			return &stoppedWaiting{stop: stop.Err(), last: err, class: c}
		case <-after(d):
		}
	}
}
