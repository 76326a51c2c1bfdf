package web_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/holdlock"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
	"github.com/synctrack/synctrack/web"
)

func TestHoldLockChild(t *testing.T) { holdlock.Child(t) }

// A client that asks for a large download and never reads it holds a
// temporary file, not the database: the other pages answer and a load in
// another process takes the file while the download is still unsent.
func TestStalledDownloadHoldsNoLock(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a 40,000-row run")
	}
	path := filepath.Join(t.TempDir(), "w.duckdb")
	whURL := "duckdb://" + path
	sync, run := oneBigRun(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL)})

	stalledDownload(t, srv, "/syncs/"+sync+"/runs/"+run+"/records.csv")
	deadline := time.Now().Add(10 * time.Second)
	for {
		release, err := holdlock.Try(t, "TestHoldLockChild", path)
		if err == nil {
			release()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a load could not take the file while a client stalled on a download: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	get(t, srv.URL+"/", 200)
}

// Clients that ask for large downloads from PostgreSQL and never read them
// hold temporary files, not the pool's connections: the pages still
// answer. Streamed from the query, four such downloads held all four of
// the pool's connections for the minute each took to be cut off, and
// every page waited (found by a review).
func TestStalledDownloadsLeavePostgresPages(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a 40,000-row run")
	}
	whURL := pgtest.URL(t)
	sync, run := oneBigRun(t, whURL)
	// Opened once and shared by every request, as synctrack serve opens a
	// server engine.
	_, w, err := engines.Open(context.Background(), whURL, warehouse.Options{ReadOnly: true, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	// Five at once: one more than the pool has connections (and than the
	// downloads' cap, raised here to let them all start).
	srv := serve(t, web.Options{Open: func(context.Context) (warehouse.Querier, func(), error) { return w, func() {}, nil }, Downloads: 5})
	for range 5 {
		stalledDownload(t, srv, "/syncs/"+sync+"/runs/"+run+"/records.csv")
	}
	done := make(chan string, 1)
	go func() {
		c := http.Client{Timeout: 20 * time.Second}
		resp, err := c.Get(srv.URL + "/syncs/" + sync + "/runs/" + run)
		if err != nil {
			done <- err.Error()
			return
		}
		resp.Body.Close()
		done <- resp.Status
	}()
	if got := <-done; got != "200 OK" {
		t.Errorf("the run page while five downloads stall: %s", got)
	}
}

// stalledDownload asks srv for path on a connection that reads the first
// bytes of the answer, which must be a 200, and then nothing more, until
// the test ends. (A Host the server does not serve is a 421: these tests
// once stalled on that, not on a download.)
func stalledDownload(t *testing.T, srv *httptest.Server, path string) {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.(*net.TCPConn).SetReadBuffer(4096)
	if _, err := conn.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: " + srv.Listener.Addr().String() + "\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	// The first bytes come once the records are spooled; then nothing is read.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	b := make([]byte, 512)
	n, err := conn.Read(b)
	if err != nil {
		t.Fatalf("no answer to the download: %v", err)
	}
	if !strings.HasPrefix(string(b[:n]), "HTTP/1.1 200 ") {
		t.Fatalf("the download answered %q", b[:min(n, 40)])
	}
}

// oneBigRun loads a bucket of one run of 40,000 rows into whURL and
// returns its sync and run.
func oneBigRun(t *testing.T, whURL string) (sync, run string) {
	t.Helper()
	f := emptyFixture(t)
	dir := f.dir
	o := gen.Options{Orgs: 1, SyncsPerOrg: 1, RunsPerSync: 1, FilesPerRun: 4, RowsPerFile: 10000, Seed: 3, Start: gen.DefaultStart}
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, f.bucketURL), o); err != nil {
		t.Fatal(err)
	}
	f.load(t, whURL)
	runs, _ := filepath.Glob(filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*"))
	if len(runs) != 1 {
		t.Fatalf("want one run folder, got %v", runs)
	}
	return filepath.Base(filepath.Dir(runs[0])), filepath.Base(runs[0])
}
