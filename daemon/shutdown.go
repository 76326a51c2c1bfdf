package daemon

import (
	"context"
	"time"
)

func (d *Daemon) closeBuckets() {
	for _, t := range d.targets {
		t.bucket.Close()
	}
}

// closeSubscriptions hands back the messages of work never started, for
// redelivery, and shuts the subscriptions down.
func (d *Daemon) closeSubscriptions() {
	for _, t := range d.targets {
		if t.sub == nil {
			continue
		}
		t.mu.Lock()
		nack(t.pending.events)
		t.pending.events = nil
		t.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := t.sub.Shutdown(ctx); err != nil {
			d.log.Warn("events: subscription shutdown", "target", t.cfg.Name, "err", err)
		}
		cancel()
	}
}

// drain lets the loads in flight at shutdown finish (done closes when they
// have) for up to the grace period, or until Deps.Abort closes, then cancels
// them: a batch in flight rolls back and loads next time, what committed
// stays, ledger included.
func (d *Daemon) drain(done <-chan struct{}, cancel func()) {
	idle, waiting, locked := true, false, true
	for _, t := range d.targets {
		if !t.loading.Load() {
			continue
		}
		if c := t.waiting.Load(); c != nil {
			waiting, locked = true, locked && *c == busy
			continue
		}
		idle = false
	}
	select {
	case <-done: // every loop ended: none loads, whatever idle read
		idle = true
	default:
	}
	switch {
	case idle && waiting:
		// A wait between two tries ends at once on the stop, so done
		// closes soon; a try begun just before it runs with the grace
		// period, as any load.
		if locked {
			d.log.Info("stopping while waiting for the warehouse (another process holds it): no load in flight")
		} else {
			d.log.Info("stopping while waiting to try again: no load in flight")
		}
		select {
		case <-done:
			return
		case <-d.deps.After(*d.cfg.Grace):
		case <-d.deps.Abort:
		}
		cancel()
		<-done
		return
	case idle:
		// The loops may not all have seen the stop yet, but none loads.
		d.log.Info("stopping: no load in flight")
		cancel()
		<-done
		return
	}
	grace := *d.cfg.Grace
	if grace == 0 {
		d.log.Info("stopping: no new loads; no grace period: cancelling the load in flight, its batch rolls back and loads next time")
		cancel()
		<-done
		return
	}
	var hint []any
	if d.deps.Abort != nil {
		hint = []any{"abort", "send SIGTERM or press Ctrl-C again to cancel it now"}
	}
	d.log.Info("stopping: no new loads; waiting for the load in flight", append([]any{"grace", grace}, hint...)...)
	select {
	case <-done:
		return
	case <-d.deps.After(grace):
		d.log.Warn("grace period over: cancelling the load in flight; its batch rolls back and loads next time")
	case <-d.deps.Abort:
		d.log.Warn("stopping now, as asked again: cancelling the load in flight; its batch rolls back and loads next time, what committed stays")
	}
	cancel()
	<-done
}
