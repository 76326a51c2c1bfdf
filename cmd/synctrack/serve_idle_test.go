package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/httpserver"
)

// serve closes a kept-alive connection that stays idle after its answer:
// one that had a 401 (or any page) and then sent nothing, or a few bytes,
// was held for ever, as many as a client on the network liked.
func TestServeClosesIdleConnections(t *testing.T) {
	defer func(d time.Duration) { httpserver.IdleTimeout = d }(httpserver.IdleTimeout)
	httpserver.IdleTimeout = 50 * time.Millisecond
	dir := t.TempDir()
	bucket := filepath.Join(dir, "bucket")
	wh := "duckdb://" + filepath.Join(dir, "w.duckdb")
	if code, out := runCLI(t, "generate", "--out", bucket, "--orgs", "1", "--syncs", "1", "--runs", "1", "--rows", "10"); code != 0 {
		t.Fatalf("generate: %d %s", code, out)
	}
	if code, out := runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh); code != 0 {
		t.Fatalf("load: %d %s", code, out)
	}
	base := startServe(t, "--warehouse", wh)
	for _, next := range []string{"", "GET"} {
		if err := httpserver.ClosedWhenIdle(strings.TrimPrefix(base, "http://"), "/assets/style.css", next, 30*time.Second); err != nil {
			t.Error(err)
		}
	}
}
