package httpserver

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// A connection that had its answer and then sends nothing, or only the
// first bytes of a next request, is closed once idle, not held for ever.
func TestIdleConnectionIsClosed(t *testing.T) {
	defer func(d time.Duration) { IdleTimeout = d }(IdleTimeout)
	IdleTimeout = 50 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := New(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	for _, next := range []string{"", "GET"} {
		if err := ClosedWhenIdle(ln.Addr().String(), "/", next, 30*time.Second); err != nil {
			t.Error(err)
		}
	}
}

// A body that stops coming is given up on, not waited for for ever: one
// under the limit as it is read, one over it (the handler answers 413) as
// the server reads what is left of it before the answer.
func TestStalledBodyIsGivenUp(t *testing.T) {
	defer func(d time.Duration) { BodyTimeout = d }(BodyTimeout)
	BodyTimeout = 50 * time.Millisecond
	for _, limit := range []int64{1000, 2} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, err := ReadBody(w, r, limit)
			switch {
			case err != nil:
				http.Error(w, "read body", http.StatusBadRequest)
			case int64(len(b)) > limit:
				http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			}
		}))
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { srv.Close() })
		if err := StalledBody(ln.Addr().String(), "/", 30*time.Second); err != nil {
			t.Errorf("limit %d: %v", limit, err)
		}
	}
}
