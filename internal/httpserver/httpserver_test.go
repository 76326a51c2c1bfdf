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
