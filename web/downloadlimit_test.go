package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/web"
)

// Downloads at once are capped: each one holds a temporary copy of its
// records for as long as its client takes to read it (a client reading a
// little each minute is never cut off), so a reader asking for many at
// once could fill $TMPDIR, or memory where it is a tmpfs (found by a
// review). One over the cap is a 503 with Retry-After; the pages still
// answer, and once a download ends another may start.
func TestDownloadsAtOnceAreCapped(t *testing.T) {
	entered, hold := make(chan struct{}), make(chan struct{})
	var opened atomic.Bool
	open := func(ctx context.Context) (warehouse.Querier, func(), error) {
		if !opened.Swap(true) { // the first download waits here, holding its place
			close(entered)
			<-hold
		}
		return nil, nil, &warehouse.Error{Class: warehouse.Transient, Reason: "busy", Err: io.EOF}
	}
	srv := serve(t, web.Options{Open: open, Downloads: 1})
	u := srv.URL + "/syncs/s/runs/r/records.csv"
	done := make(chan int)
	go func() {
		resp, err := http.Get(u)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	<-entered
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "downloads") {
		t.Errorf("a download over the cap: %s, Retry-After %q; want 503 with Retry-After: %.300s", resp.Status, resp.Header.Get("Retry-After"), b)
	}
	close(hold)
	if code := <-done; code != http.StatusServiceUnavailable { // the warehouse is "busy"
		t.Errorf("the first download: %d", code)
	}
	// Its place is free again: the next one reaches the warehouse.
	resp, err = http.Get(u + "?outcome=rejected")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "busy or unreachable") {
		t.Errorf("a download after the first ended: %s %.300s", resp.Status, b)
	}
}
