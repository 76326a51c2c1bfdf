package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// interrupts stops a command in steps, one per SIGINT or SIGTERM, so that
// pressing Ctrl-C again always means "harder":
//
//   - the first ends the command's context: a load cancels its batch in
//     flight (it rolls back); the daemon starts no new load and gives the
//     one in flight the grace period;
//   - the next closes the channel a command took with secondInterrupt
//     (the daemon: cancel the load in flight now, without waiting out the
//     grace period);
//   - after the last step a command has, the signals' default action is
//     back, so one more ends the process at once. What was not committed is
//     not loaded, as after kill -9 (TestKillNineMidLoad).
type interrupts struct {
	second chan struct{}
	taken  atomic.Bool
}

type interruptsKey struct{}

// notifyInterrupts returns a context that the first SIGINT or SIGTERM ends
// and that carries the later steps, and a stop that unregisters it all.
func notifyInterrupts(parent context.Context) (context.Context, func()) {
	in := &interrupts{second: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.WithValue(parent, interruptsKey{}, in))
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	quit := make(chan struct{})
	var once sync.Once
	stop := func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(quit)
			cancel()
		})
	}
	go func() {
		if !nextSignal(sigs, quit) {
			return
		}
		cancel()
		settle(sigs, quit)
		if !in.taken.Load() {
			restoreDefault(sigs)
			return
		}
		if !nextSignal(sigs, quit) {
			return
		}
		restoreDefault(sigs)
		close(in.second)
	}()
	return ctx, stop
}

// nextSignal waits for a signal: false when quit closes first.
func nextSignal(sigs <-chan os.Signal, quit <-chan struct{}) bool {
	select {
	case <-sigs:
		return true
	case <-quit:
		return false
	}
}

// sameRequest is how soon after a signal another counts as the same
// request: timeout(1) signals the process, then its whole group (the
// process again), a microsecond apart; a person's second Ctrl-C comes a
// tenth of a second later or more.
const sameRequest = 50 * time.Millisecond

// settle swallows the signals that come within sameRequest of the first.
func settle(sigs <-chan os.Signal, quit <-chan struct{}) {
	t := time.NewTimer(sameRequest)
	defer t.Stop()
	for {
		select {
		case <-sigs:
		case <-quit:
			return
		case <-t.C:
			return
		}
	}
}

// restoreDefault gives the signals their default action back before the
// command sees its last step, so the next one ends the process; one that
// came in meanwhile (a quick double Ctrl-C) is raised again to do so.
func restoreDefault(sigs chan os.Signal) {
	signal.Stop(sigs)
	select {
	case sig := <-sigs:
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			_ = p.Signal(sig)
		}
	default:
	}
}

// secondInterrupt takes the second step for the command: the channel the
// signal after the first closes. Nil (never closes) when ctx has no
// signal handling, as in the in-process tests.
func secondInterrupt(ctx context.Context) <-chan struct{} {
	in, ok := ctx.Value(interruptsKey{}).(*interrupts)
	if !ok {
		return nil
	}
	in.taken.Store(true)
	return in.second
}

// ignoreHangups keeps SIGHUP from ending the daemon. Its default action ends
// the process at once, as kill -9 would: no grace period for the load in
// flight and not a line in the log. Operators send it by habit to reload a
// daemon's config (kill -HUP, a unit's ExecReload), and a terminal that
// closes sends it too; the daemon reads its config only at start, so it says
// so and runs on. The returned stop unregisters it.
func ignoreHangups(log *slog.Logger) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-hup:
				log.Warn("SIGHUP ignored: the config is read only at start; restart the daemon to apply a change (SIGTERM or Ctrl-C stops it)")
			case <-quit:
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(hup)
			close(quit)
			<-done
		})
	}
}
