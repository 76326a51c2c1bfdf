package loader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/synctrack/synctrack/warehouse"
)

// DefaultStallTimeout is Options.StallTimeout when unset. Neither gocloud.dev
// nor aws-sdk-go-v2 bounds how long a read waits for data (the SDK's HTTP
// client times out dialling and the TLS handshake only), so a connection
// that stopped sending, half-open or behind a stuck proxy, held a load, and
// with it every later cycle of the daemon, forever. 60 s is the AWS CLI's
// (botocore's) default socket read timeout; an object store that is working
// sends its next bytes within milliseconds, and the SDK's own retries of a
// 5xx (3 attempts, under 6 s of backoff) fit well inside it.
const DefaultStallTimeout = 60 * time.Second

var errStalled = errors.New("stalled")

// stallGuard ends a bucket call that waits on the bucket longer than its
// timeout. Only the time spent inside a call counts, not the time between
// calls (writing a staged copy to disk, say), so a slow disk is not taken for
// a stalled bucket.
type stallGuard struct {
	ctx     context.Context
	cancel  context.CancelCauseFunc
	timeout time.Duration
	timer   *time.Timer
}

func newStallGuard(ctx context.Context, timeout time.Duration) *stallGuard {
	if timeout <= 0 {
		timeout = DefaultStallTimeout
	}
	g := &stallGuard{timeout: timeout}
	g.ctx, g.cancel = context.WithCancelCause(ctx)
	g.timer = time.AfterFunc(timeout, func() { g.cancel(errStalled) })
	g.timer.Stop()
	return g
}

// begin and end bracket one call that waits on the bucket.
func (g *stallGuard) begin() { g.timer.Reset(g.timeout) }
func (g *stallGuard) end()   { g.timer.Stop() }

func (g *stallGuard) close() {
	g.timer.Stop()
	g.cancel(nil)
}

// reader guards each Read of r.
func (g *stallGuard) reader(r io.Reader) io.Reader { return guardedReader{g, r} }

type guardedReader struct {
	g *stallGuard
	r io.Reader
}

func (gr guardedReader) Read(p []byte) (int, error) {
	gr.g.begin()
	defer gr.g.end()
	return gr.r.Read(p)
}

// err says so when the timeout ended the call: a Transient error, the
// bucket's fault and not the object's, so nothing is blamed and the load is
// tried again.
func (g *stallGuard) err(err error) error {
	if err == nil || !errors.Is(context.Cause(g.ctx), errStalled) {
		return err
	}
	return &warehouse.Error{Class: warehouse.Transient, Reason: "stalled",
		Hint: "the bucket stopped sending; nothing was blamed on any object and the next load tries again",
		Err:  fmt.Errorf("no data from the bucket for %s: %w", g.timeout, err)}
}
