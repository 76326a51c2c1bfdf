package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/holdlock"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// startServe runs synctrack serve in-process on a free loopback port until
// the test ends, and returns its base URL.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- run(ctx, append([]string{"serve", "--listen", addr}, args...)) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d", code)
		}
	})
	base := "http://" + addr
	for i := 0; i < 100; i++ {
		if resp, err := http.Get(base + "/assets/style.css"); err == nil {
			resp.Body.Close()
			return base
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("serve never answered on %s", addr)
	return ""
}

func download(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d: %s", u, resp.StatusCode, b)
	}
	return b
}

// A run page's download is byte for byte what synctrack records prints
// with the same filters, in every format.
func TestServeDownloadIsRecords(t *testing.T) {
	dir := t.TempDir()
	bucket := filepath.Join(dir, "bucket")
	wh := "duckdb://" + filepath.Join(dir, "w.duckdb")
	if code, out := runCLI(t, "generate", "--out", bucket, "--orgs", "1", "--syncs", "2", "--runs", "2", "--rows", "50"); code != 0 {
		t.Fatalf("generate: %d %s", code, out)
	}
	if code, out := runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh); code != 0 {
		t.Fatalf("load: %d %s", code, out)
	}
	// A run and one of its rejected identifiers, read from the CLI's own JSON.
	_, out := runCLI(t, "records", "--warehouse", wh, "--status", "rejected", "--limit", "1", "--format", "csv")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("no rejected record to test with:\n%s", out)
	}
	cells := strings.Split(lines[1], ",")
	sync, run, ident := cells[2], cells[3], cells[4]
	base := startServe(t, "--warehouse", wh)
	for _, c := range []struct{ query, outcome, ident string }{
		{"", "", ""},
		{"?outcome=rejected", "rejected", ""},
		{"?outcome=success", "success", ""},
		{"?q=" + url.QueryEscape(ident), "", ident},
	} {
		for _, format := range []string{"csv", "json", "parquet"} {
			args := []string{"records", "--warehouse", wh, "--sync", sync, "--run", run, "--limit", "0", "--format", format}
			if c.outcome != "" {
				args = append(args, "--status", c.outcome)
			}
			if c.ident != "" {
				args = append(args, "--identifier", c.ident)
			}
			path := filepath.Join(dir, "cli."+format)
			if code, out := runCLI(t, append(args, "--out", path)...); code != 0 {
				t.Fatalf("%v: %d %s", args, code, out)
			}
			want, _ := os.ReadFile(path)
			got := download(t, base+"/syncs/"+sync+"/runs/"+run+"/records."+format+c.query)
			if len(want) == 0 || !bytes.Equal(got, want) {
				t.Errorf("records.%s%s: %d bytes differ from synctrack records' %d", format, c.query, len(got), len(want))
			}
		}
	}
}

func TestServeRefusesOpenListenWithoutToken(t *testing.T) {
	dir := t.TempDir()
	wh := "duckdb://" + filepath.Join(dir, "w.duckdb")
	t.Setenv("SYNCTRACK_WEB_TOKEN", "")
	code, _, stderr := runCLIAll(t, "serve", "--warehouse", wh, "--listen", "0.0.0.0:0")
	if code != 2 || !strings.Contains(stderr, "not a loopback address") ||
		!strings.Contains(stderr, "SYNCTRACK_WEB_TOKEN or --token-file (config key token_file)") {
		t.Errorf("open listen without a token: exit %d: %s", code, stderr)
	}
	code, _, stderr = runCLIAll(t, "serve", "--warehouse", wh)
	if code != 2 || !strings.Contains(stderr, "no database file yet") {
		t.Errorf("a DuckDB file not made yet: exit %d: %s", code, stderr)
	}
	empty := filepath.Join(dir, "token")
	os.WriteFile(empty, []byte("\n"), 0o600)
	code, _, stderr = runCLIAll(t, "serve", "--warehouse", wh, "--listen", "0.0.0.0:0", "--token-file", empty)
	if code != 2 || !strings.Contains(stderr, "is empty") {
		t.Errorf("an empty token file: exit %d: %s", code, stderr)
	}
	// Spaces and newlines are no secret either, in the file or the environment.
	os.WriteFile(empty, []byte("  \n \n"), 0o600)
	code, _, stderr = runCLIAll(t, "serve", "--warehouse", wh, "--listen", "0.0.0.0:0", "--token-file", empty)
	if code != 2 || !strings.Contains(stderr, "is empty") {
		t.Errorf("a blank token file: exit %d: %s", code, stderr)
	}
	// A secret that begins with spaces cannot be sent as a Bearer token.
	os.WriteFile(empty, []byte("  s3cret\n"), 0o600)
	code, _, stderr = runCLIAll(t, "serve", "--warehouse", wh, "--listen", "0.0.0.0:0", "--token-file", empty)
	if code != 2 || !strings.Contains(stderr, "begins with white space") {
		t.Errorf("a token file whose secret begins with spaces: exit %d: %s", code, stderr)
	}
	t.Setenv("SYNCTRACK_WEB_TOKEN", " \n")
	code, _, stderr = runCLIAll(t, "serve", "--warehouse", wh, "--listen", "0.0.0.0:0")
	if code != 2 || !strings.Contains(stderr, "SYNCTRACK_WEB_TOKEN is blank") {
		t.Errorf("a blank SYNCTRACK_WEB_TOKEN: exit %d: %s", code, stderr)
	}
}

// A warehouse every page would fail on, or a bucket that does not open, is
// refused at start as status and plan refuse them, not served as 503s.
func TestServeRefusesWrongSchemaAndBucket(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.duckdb")
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	// Should it start after all, it ends with ctx instead of serving on.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code, _, stderr := runCLICtx(t, ctx, "serve", "--warehouse", "duckdb://"+path+"?schema=nope", "--listen", "127.0.0.1:0")
	if code != 2 || !strings.Contains(stderr, `no schema "nope"`) || !strings.Contains(stderr, "it has: synctrack") {
		t.Errorf("a wrong ?schema=: exit %d: %s", code, stderr)
	}
	code, _, stderr = runCLICtx(t, ctx, "serve", "--warehouse", "duckdb://"+path, "--listen", "127.0.0.1:0", "--bucket", "nope://x")
	if code != 2 || !strings.Contains(stderr, `bucket URL "nope://x"`) {
		t.Errorf("a bucket that does not open: exit %d: %s", code, stderr)
	}
}

// On every interface the listener reports [::] or 0.0.0.0, which no browser
// opens; serve prints loopback and says so. Loopback prints as it was.
func TestServeAllInterfacesURL(t *testing.T) {
	for addr, want := range map[string]string{
		"0.0.0.0:8090":   "http://127.0.0.1:8090/ (listening on all interfaces)",
		"[::]:8090":      "http://127.0.0.1:8090/ (listening on all interfaces)",
		":8090":          "http://127.0.0.1:8090/ (listening on all interfaces)",
		"127.0.0.1:8090": "http://127.0.0.1:8090/",
		"[::1]:8090":     "http://[::1]:8090/",
		"10.0.0.5:8090":  "http://10.0.0.5:8090/",
	} {
		if got := pagesURL(addr); got != want {
			t.Errorf("pagesURL(%q) = %q, want %q", addr, got, want)
		}
	}
	dir := t.TempDir()
	wh := "duckdb://" + filepath.Join(dir, "w.duckdb")
	if code, out := runCLI(t, "load", "--bucket", "file://"+dir, "--warehouse", wh); code != 0 {
		t.Fatalf("load: %d %s", code, out)
	}
	t.Setenv("SYNCTRACK_WEB_TOKEN", "s3cret")
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve prints its line, then shuts down at once
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"serve", "--warehouse", wh, "--listen", "0.0.0.0:0"})
	if err := root.ExecuteContext(ctx); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, " on http://127.0.0.1:") || !strings.Contains(s, "(listening on all interfaces)") {
		t.Errorf("serve on 0.0.0.0 printed %q", s)
	}
}

// serve --bucket counts on the home page the files a load would read: here
// those a second generate wrote after the load, counted on disk.
func TestServePendingFiles(t *testing.T) {
	dir := t.TempDir()
	bucket := filepath.Join(dir, "bucket")
	wh := "duckdb://" + filepath.Join(dir, "w.duckdb")
	gen := func(seed string) {
		if code, out := runCLI(t, "generate", "--out", bucket, "--seed", seed, "--orgs", "1", "--syncs", "1", "--runs", "2", "--rows", "20"); code != 0 {
			t.Fatalf("generate: %d %s", code, out)
		}
	}
	files := func(pattern string) map[string]bool {
		m := map[string]bool{}
		paths, _ := filepath.Glob(filepath.Join(bucket, "sync_tracking_datasets", "*", "*", "*", pattern))
		for _, p := range paths {
			m[p] = true
		}
		return m
	}
	gen("1")
	if code, out := runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh); code != 0 {
		t.Fatalf("load: %d %s", code, out)
	}
	loadedRecords, loadedMeta := files("*.parquet"), files("metadata.json")
	gen("2")
	newRecords, newMeta := 0, 0
	for p := range files("*.parquet") {
		if !loadedRecords[p] {
			newRecords++
		}
	}
	for p := range files("metadata.json") {
		if !loadedMeta[p] {
			newMeta++
		}
	}
	if newRecords == 0 {
		t.Fatal("the second generate wrote no new records file")
	}
	base := startServe(t, "--warehouse", wh, "--bucket", "file://"+bucket)
	body := string(download(t, base+"/"))
	want := fmt.Sprintf("%d records, %d metadata,", newRecords, newMeta)
	if !strings.Contains(body, "Pending in the bucket") || !strings.Contains(body, want) {
		t.Errorf("home page lacks %q:\n%.3000s", want, body)
	}
}

// serve holds the DuckDB file only while it answers: after a page, a
// writer in another process (a load from cron) takes the file at once;
// while the writer holds it, a page is a 503 (try again), and after it
// the pages answer again.
func TestServeNeverLocksOutALoad(t *testing.T) {
	dir := t.TempDir()
	bucket, db := filepath.Join(dir, "bucket"), filepath.Join(dir, "w.duckdb")
	if code, out := runCLI(t, "generate", "--out", bucket, "--orgs", "1", "--syncs", "1", "--runs", "2", "--rows", "20"); code != 0 {
		t.Fatalf("generate: %d %s", code, out)
	}
	if code, out := runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", "duckdb://"+db); code != 0 {
		t.Fatalf("load: %d %s", code, out)
	}
	base := startServe(t, "--warehouse", "duckdb://"+db)
	download(t, base+"/")
	release := holdlock.Start(t, "TestHoldLockChild", db) // fails the test if serve still holds the file
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a page while a load holds the file: %d, want 503", resp.StatusCode)
	}
	// Try again soon, in words: the engine's lock message (a file, a PID) is for the log.
	if resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "Try again") || strings.Contains(string(body), "PID") {
		t.Errorf("the 503 page: Retry-After %q, body:\n%.1000s", resp.Header.Get("Retry-After"), body)
	}
	release()
	download(t, base+"/")
	holdlock.Start(t, "TestHoldLockChild", db)()
}

// Pages that overlap without pause (several browsers) keep serve's hold on
// the file going, but only for a second at a time: a load in another
// process that waits for the lock (load --lock-wait, 5 s by default) gets
// the file, where it failed at once before.
func TestServeBusyLetsAWaitingLoadIn(t *testing.T) {
	wh, db := loadedWarehouse(t)
	base := startServe(t, "--warehouse", wh)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if resp, err := http.Get(base + "/"); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	time.Sleep(300 * time.Millisecond) // the pages overlap by now
	release, err := holdlock.TryWaiting(t, "TestHoldLockChild", db, 5*time.Second)
	if err != nil {
		t.Fatalf("a writer waiting 5 s did not get the file from busy pages: %v", err)
	}
	release()
}
