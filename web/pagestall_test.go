package web_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/web"
)

// deadlineRecorder is a response writer that says whether each write had
// a write deadline set before it, as http.ResponseController sets one.
type deadlineRecorder struct {
	*httptest.ResponseRecorder
	deadline time.Time
	unbound  int // writes made with no deadline
}

func (d *deadlineRecorder) SetWriteDeadline(t time.Time) error { d.deadline = t; return nil }

func (d *deadlineRecorder) Write(p []byte) (int, error) {
	if d.deadline.IsZero() {
		d.unbound++
	}
	return d.ResponseRecorder.Write(p)
}

// A page, and the error page, is written with a deadline, as a download
// is: a client that asked for a page of 50 records of 64 KiB payloads and
// never read it held the rendered page, its goroutine and its connection
// for ever (found by a review).
func TestPagesAreWrittenWithADeadline(t *testing.T) {
	f := generate(t)
	whURL := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	f.load(t, whURL)
	s, err := web.New(web.Options{Open: openURL(t, whURL)})
	if err != nil {
		t.Fatal(err)
	}
	sync, run := f.biggestRun()
	for _, path := range []string{"/", "/syncs/" + sync, "/syncs/" + sync + "/runs/" + run, "/no-such-page"} {
		rec := &deadlineRecorder{ResponseRecorder: httptest.NewRecorder()}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Host = "127.0.0.1"
		s.Handler().ServeHTTP(rec, req)
		if rec.Body.Len() == 0 {
			t.Errorf("GET %s: no page (%d)", path, rec.Code)
		}
		if rec.unbound > 0 {
			t.Errorf("GET %s (%d): %d writes with no write deadline", path, rec.Code, rec.unbound)
		}
	}
}
