package web_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/web"
)

// Addresses a person types or trims by hand: a page's path with a slash
// after it leads to the page, an empty search back to where it was sent
// from, and any other path is the styled not-found page, not the mux's
// plain text. None of them opens the warehouse, but for an address under
// a sync's page, which looks for that page (or its run's) to link to, and
// is the same not-found page when the warehouse does not open.
func TestPathsTypedByHand(t *testing.T) {
	opened := false
	srv := serve(t, web.Options{Open: func(context.Context) (warehouse.Querier, func(), error) {
		opened = true
		return nil, nil, errors.New("no warehouse here")
	}})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]string{
		"/syncs/":                 "/",
		"/syncs":                  "/",
		"/records/":               "/",
		"/syncs/a%2Fb/":           "/syncs/a%2Fb",
		"/syncs/s1/runs":          "/syncs/s1",
		"/syncs/s1/runs/":         "/syncs/s1",
		"/syncs/s1/runs/r1/":      "/syncs/s1/runs/r1",
		"/records/x%20y/?sync=7":  "/records/x%20y?sync=7",
		"/records?q=":             "/",
		"/records?q=+&sync=s%2F1": "/syncs/s%2F1",
	} {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode/100 != 3 || loc != want {
			t.Errorf("%s: %d to %q, want a redirect to %q", path, resp.StatusCode, loc, want)
		}
	}
	for _, path := range []string{"/nope", "/syncs/s1/x", "/assets/", "/assets/nosuch.css", "/syncs/s1/runs/r1/x/y"} {
		under := strings.HasPrefix(path, "/syncs/s1/")
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(b.String(), "There is no page at this address") {
			t.Errorf("%s: %d %s, want the styled not-found page:\n%.500s", path, resp.StatusCode, resp.Header.Get("Content-Type"), b.String())
		}
		if under != opened {
			t.Errorf("%s: opened the warehouse: %v, want %v", path, opened, under)
		}
		opened = false
	}
	// The mux cleans a doubled slash first: never a Location to another host.
	resp, err := client.Get(srv.URL + "//example.com/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, "//") || strings.Contains(loc, "://") {
		t.Errorf("//example.com/ leads to %q", loc)
	}
	if opened {
		t.Error("a path that is no page opened the warehouse")
	}
}

// A database file moved away while the pages serve it is said to be
// missing, not busy: "try again in a moment" was the answer for good
// (found by a review).
func TestMissingDatabaseFileIsSaid(t *testing.T) {
	f := generate(t)
	path := filepath.Join(t.TempDir(), "w.duckdb")
	f.load(t, "duckdb://"+path)
	srv := serve(t, web.Options{Open: openURL(t, "duckdb://"+path)})
	get(t, srv.URL+"/", http.StatusOK)
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	if body := get(t, srv.URL+"/", http.StatusServiceUnavailable); !strings.Contains(body, "database is not there") {
		t.Errorf("the page says:\n%.1500s", body)
	}
}
