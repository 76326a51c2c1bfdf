package web_test

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/holdlock"
	"github.com/synctrack/synctrack/internal/testbucket"
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
	dir := t.TempDir()
	f := &fixture{dir: dir, bucketURL: "file://" + filepath.ToSlash(dir) + "?metadata=skip"}
	o := gen.Options{Orgs: 1, SyncsPerOrg: 1, RunsPerSync: 1, FilesPerRun: 4, RowsPerFile: 10000, Seed: 3, Start: gen.DefaultStart}
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, f.bucketURL), o); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "w.duckdb")
	whURL := "duckdb://" + path
	f.load(t, whURL)
	runs, _ := filepath.Glob(filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*"))
	if len(runs) != 1 {
		t.Fatalf("want one run folder, got %v", runs)
	}
	sync, run := filepath.Base(filepath.Dir(runs[0])), filepath.Base(runs[0])
	srv := serve(t, web.Options{Open: openURL(t, whURL), Spool: true})

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(4096)
	if _, err := conn.Write([]byte("GET /syncs/" + sync + "/runs/" + run + "/records.csv HTTP/1.1\r\nHost: t\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	// The first bytes come once the records are spooled; then nothing is read.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.Read(make([]byte, 512)); err != nil {
		t.Fatalf("no answer to the download: %v", err)
	}
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
