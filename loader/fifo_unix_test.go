//go:build unix

package loader_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
)

// A local folder's object that is a named pipe (found by a review; a hung
// NFS or FUSE mount looks the same to a reader): opening it waited for a
// writer forever, past the stall timeout and SIGTERM, the warehouse lock
// held. It fails alone, named, and the rest loads.
func TestNamedPipeInTheBucketFailsAlone(t *testing.T) {
	url, dir := generated(t, smallOptions())
	records := findRecords(t, dir)
	meta := filepath.Join(filepath.Dir(records[0]), "metadata.json")
	if err := os.Remove(meta); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(meta, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	w := openWarehouse(t)
	type result struct {
		rep *loader.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 7}).Load(context.Background())
		done <- result{rep, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(time.Minute):
		// A reader left waiting (the bug) opens once a writer does; the
		// load then ends before the warehouse closes.
		if f, err := os.OpenFile(meta, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
		<-done
		t.Fatal("the load still waited on the named pipe after a minute")
	}
	if r.err != nil {
		t.Fatalf("load: %v", r.err)
	}
	key := strings.TrimPrefix(filepath.ToSlash(strings.TrimPrefix(meta, dir)), "/")
	if len(r.rep.Failed) != 1 || r.rep.Failed[0].Key != key || !strings.Contains(r.rep.Failed[0].Err.Error(), "named pipe") {
		t.Fatalf("failed %v, want %s alone, as a named pipe", r.rep.Failed, key)
	}
	if r.rep.Rows == 0 || r.rep.Files < 2 {
		t.Errorf("loaded %d files, %d rows: the rest did not load", r.rep.Files, r.rep.Rows)
	}
}

// A named pipe named as a records file lists as 0 bytes: it fails alone as
// the pipe it is, not as an empty parquet file (found by a review).
func TestNamedPipeRecordsFileSaysSo(t *testing.T) {
	url, dir := generated(t, smallOptions())
	pipe := filepath.Join(filepath.Dir(findRecords(t, dir)[0]), "records_updated.99.parquet")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	rep := load(t, testbucket.Open(t, url), dir, openWarehouse(t))
	if len(rep.Failed) != 1 || !strings.Contains(rep.Failed[0].Err.Error(), "named pipe") {
		t.Errorf("failed %v, want the pipe alone, as a named pipe", rep.Failed)
	}
}
