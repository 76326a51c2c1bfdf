package daemon

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"gocloud.dev/gcerrors"
)

// What the scheduler does with an error.
type class int

const (
	transient class = iota // retry with backoff
	busy                   // someone else holds the warehouse: wait with backoff
	permanent              // log once with the fix, wait for the next tick
	stopped                // shutting down
)

// PermanentError is an error retrying cannot fix, with what the user should do.
type PermanentError struct {
	Err error
	Fix string
}

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// errLeaseHeld is another daemon holding the warehouse's lease.
var errLeaseHeld = errors.New("another daemon holds the load lease")

// classify decides what an error means for the cycle, names it for the
// failures metric, and says how to fix the permanent ones.
func classify(err error) (c class, reason, fix string) {
	var pe *PermanentError
	msg := err.Error()
	switch {
	case errors.Is(err, context.Canceled):
		return stopped, "stopped", ""
	case errors.As(err, &pe):
		return permanent, "config", pe.Fix
	case errors.Is(err, errLeaseHeld):
		return busy, "lease_held", ""
	case errors.Is(err, errLeaseLost):
		return busy, "lease_lost", ""
	case strings.Contains(msg, "Could not set lock on file") || strings.Contains(msg, "Conflicting lock"):
		return busy, "warehouse_locked", ""
	case strings.Contains(msg, "ermission denied") || strings.Contains(msg, "read-only file system"):
		return permanent, "permission", "make the warehouse file and its directory writable by the user the daemon runs as"
	}
	switch gcerrors.Code(err) {
	case gcerrors.PermissionDenied:
		return permanent, "permission", "give the daemon's credentials list and read access to the bucket " +
			"(S3: s3:ListBucket and s3:GetObject; GCS: storage.objects.list and storage.objects.get), " +
			"or check AWS_* / GOOGLE_APPLICATION_CREDENTIALS"
	case gcerrors.NotFound:
		return permanent, "not_found", "check the bucket name, region and endpoint in the target's bucket URL"
	case gcerrors.InvalidArgument, gcerrors.Unimplemented:
		return permanent, "config", "check the target's bucket URL"
	}
	return transient, "transient", ""
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
		if c == permanent || c == stopped || attempt >= r.Attempts || stop.Err() != nil {
			if attempt > 1 && c != permanent && c != stopped {
				return fmt.Errorf("after %d attempts: %w", attempt, err)
			}
			return err
		}
		d := r.backoff(attempt)
		wait(err, c, reason, attempt, d)
		select {
		case <-stop.Done():
			return err
		case <-after(d):
		}
	}
}

// classify is the package's classify, with the engine errors that
// Deps.Permanent knows to be permanent.
func (t *target) classify(err error) (class, string, string) {
	c, reason, fix := classify(err)
	if c == transient && t.d.deps.Permanent != nil {
		if f, ok := t.d.deps.Permanent(err); ok {
			return permanent, "warehouse", f
		}
	}
	return c, reason, fix
}
