package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/synctrack/synctrack/warehouse"
)

// leaseName is the lease every daemon takes around a load of one warehouse.
const leaseName = "load"

// errLeaseLost is a load stopped because its lease went to another daemon, or
// could not be renewed for a whole TTL (so it may have expired and been taken).
var errLeaseLost = errors.New("the load lease was lost")

// hold takes the load lease and keeps it while the load runs: a heartbeat
// renews it every third of the TTL, so a load longer than the TTL keeps it, and
// stops the load (its batch in flight rolls back, the ledger stays as
// committed) when a renewal finds another holder or none has succeeded for a
// TTL. The load runs under the returned context; release stops the heartbeat
// and gives the lease up.
func (t *target) hold(ctx context.Context, l warehouse.Leaser) (context.Context, func(), error) {
	m, name, ttl := t.d.m, t.cfg.Name, t.d.cfg.LeaseTTL
	m.queries.WithLabelValues(name, "lease").Inc()
	ok, holder, until, err := l.AcquireLease(ctx, leaseName, t.d.holder, ttl)
	if err == nil && !ok && deadHere(holder) {
		// A crashed daemon of this machine (the one this restarts, most
		// often): its lease is freed only if it still holds it, then taken
		// as any free lease, so of two daemons doing this at once one wins.
		t.log.Warn("the load lease is held by a daemon of this machine that is no longer running; taking it",
			"holder", holder, "until", until.UTC().Format(time.RFC3339))
		if err = l.ReleaseLease(ctx, leaseName, holder); err == nil {
			ok, holder, until, err = l.AcquireLease(ctx, leaseName, t.d.holder, ttl)
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("lease: %w", err)
	}
	if !ok {
		return nil, nil, fmt.Errorf("%w: %s, until %s", errLeaseHeld, holder, until.UTC().Format(time.RFC3339))
	}
	lctx, lose := context.WithCancelCause(ctx)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t.heartbeat(lctx, l, stop, lose)
	}()
	release := func() {
		close(stop)
		<-done
		lose(nil)
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := l.ReleaseLease(rctx, leaseName, t.d.holder); err != nil {
			t.log.Warn("release lease (it expires by itself)", "err", err)
		}
	}
	return lctx, release, nil
}

// heartbeat renews the lease every ttl/3 until stop is closed; it calls lose
// when the lease is gone.
func (t *target) heartbeat(ctx context.Context, l warehouse.Leaser, stop <-chan struct{}, lose context.CancelCauseFunc) {
	m, name, ttl := t.d.m, t.cfg.Name, t.d.cfg.LeaseTTL
	last := t.d.deps.Now() // the last time the lease was ours for a whole ttl
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.d.deps.After(ttl / 3):
		}
		m.queries.WithLabelValues(name, "lease").Inc()
		ok, holder, _, err := l.AcquireLease(ctx, leaseName, t.d.holder, ttl)
		now := t.d.deps.Now()
		switch {
		case ctx.Err() != nil:
			return
		case err == nil && ok:
			last = now
			t.log.Debug("lease renewed", "ttl", ttl)
		case err == nil:
			t.log.Error("another daemon took the load lease; stopping this load (its batch in flight rolls back)", "holder", holder)
			lose(fmt.Errorf("%w to %s", errLeaseLost, holder))
			return
		case now.Sub(last) >= ttl:
			t.log.Error("could not renew the load lease for its whole TTL; stopping this load", "ttl", ttl, "err", err)
			lose(fmt.Errorf("%w: not renewed for %s: %v", errLeaseLost, ttl, err))
			return
		default:
			t.log.Warn("renewing the load lease failed; trying again", "err", err)
		}
	}
}

// leaseErr is err, or the lease's loss when that is what stopped the load.
func leaseErr(lctx context.Context, err error) error {
	if err != nil && errors.Is(context.Cause(lctx), errLeaseLost) {
		return fmt.Errorf("%w (load stopped: %v)", context.Cause(lctx), err)
	}
	return err
}
