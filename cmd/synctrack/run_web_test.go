package main

import (
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// synctrack run --web serves the pages on its listener while it loads: a
// page during a load of the embedded engine is the page or 503 (busy, try
// again), never an error of the pages' own; /metrics stays where it was.
func TestRunServesPages(t *testing.T) {
	dir := t.TempDir()
	bucket := filepath.Join(dir, "bucket")
	if code, out := runCLI(t, "generate", "--out", bucket, "--orgs", "1", "--syncs", "2", "--runs", "2", "--rows", "50"); code != 0 {
		t.Fatalf("generate: %d %s", code, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := startDaemon(t, "--web", "--listen", addr, "--bucket", "file://"+bucket,
		"--warehouse", "duckdb://"+filepath.Join(dir, "w.duckdb"), "--schedule", "@every 1s")
	c.waitLog(t, "loaded")
	base := "http://" + addr
	// New runs land while the pages are read: a second seed writes other runs.
	if code, out := runCLI(t, "generate", "--out", bucket, "--seed", "2", "--orgs", "1", "--syncs", "2", "--runs", "3", "--rows", "400"); code != 0 {
		t.Fatalf("generate: %d %s", code, out)
	}
	ok, busy := 0, 0
	for end := time.Now().Add(4 * time.Second); time.Now().Before(end); {
		for _, p := range []string{"/", "/metrics"} {
			resp, err := http.Get(base + p)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			switch {
			case resp.StatusCode == 200:
				ok++
			case resp.StatusCode == 503 && p == "/":
				busy++
			default:
				t.Fatalf("GET %s during loads: %d: %.3000s", p, resp.StatusCode, body)
			}
		}
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if !strings.Contains(body, `href="/syncs/`) {
		t.Errorf("the daemon's home page lists no sync:\n%.800s", body)
	}
	t.Logf("%d pages answered, %d busy", ok, busy)
	if code := c.stop(t); code != 0 {
		t.Errorf("daemon exit %d", code)
	}
}

func TestRunWebNeedsTokenBeyondLoopback(t *testing.T) {
	t.Setenv("SYNCTRACK_WEB_TOKEN", "")
	code, _, stderr := runCLIAll(t, "run", "--web", "--listen", ":0", "--bucket", "file:///tmp", "--warehouse", "duckdb:///tmp/x.duckdb")
	if code != 2 || !strings.Contains(stderr, "not a loopback address") {
		t.Errorf("run --web on every interface without a token: exit %d: %s", code, stderr)
	}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}
