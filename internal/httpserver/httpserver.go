// Package httpserver is the http.Server that synctrack's listeners use
// (serve's pages, the daemon's metrics, webhook and pages): one place for
// the limits a client on the network must not get around.
package httpserver

import (
	"io"
	"net/http"
	"time"
)

// ReadHeaderTimeout is how long a request's headers may take to arrive.
const ReadHeaderTimeout = 10 * time.Second

// IdleTimeout is how long a kept-alive connection may wait for its next
// request. Without one (http.Server's zero, with no ReadTimeout either) a
// connection that had one answer (a 401 will do) and then sent nothing, or
// a few bytes of the next request, was held for ever: a client on the
// network could hold every file descriptor the process may open (found by
// a review). A variable so that tests can shorten it.
var IdleTimeout = 2 * time.Minute

// New is the server of h with those limits. No ReadTimeout or WriteTimeout:
// either would also cut a page or a download that is slow to build (a
// ReadTimeout that passes while a handler runs cancels its request's
// context); the handlers bound what they read and write themselves.
func New(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: ReadHeaderTimeout, IdleTimeout: IdleTimeout}
}

// BodyTimeout is how long a request's body may take to arrive. A variable
// so that tests can shorten it.
var BodyTimeout = 30 * time.Second

// ReadBody reads r's body, at most limit+1 bytes (so that the caller can
// tell one over limit), within BodyTimeout: with no ReadTimeout on the
// server, a client that sent its headers and then a byte now and then, or
// none, held the handler and its connection for ever. A body read to its
// end lets the deadline go, so that it does not cut the rest of the
// handler (a read deadline that passes while a handler runs cancels its
// request's context). One not read to its end keeps it: the server reads
// what is left of a small body before it answers, and without a deadline
// that waited for ever too.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(BodyTimeout)) // not every writer has one
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err == nil && int64(len(b)) <= limit {
		_ = rc.SetReadDeadline(time.Time{})
	}
	return b, err
}
