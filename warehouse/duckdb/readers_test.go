package duckdb_test

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/holdlock"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

func TestHoldLockChild(t *testing.T) { holdlock.Child(t) }

// newFile makes a database file with synctrack's schema and n ledger rows.
func newFile(t *testing.T, path string, n int) {
	t.Helper()
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	addLedgerRows(t, w, n)
}

func addLedgerRows(t *testing.T, w *duckdb.Warehouse, n int) {
	t.Helper()
	for i := range n {
		if _, err := w.DB().Exec(`INSERT INTO synctrack.load_ledger (key, etag, kind, status) VALUES (?, 'e', 'records', 'loaded')`,
			"k"+strings.Repeat("x", i)); err != nil {
			t.Fatal(err)
		}
	}
}

func ledgerRows(t *testing.T, q warehouse.Querier) int {
	t.Helper()
	rows, err := q.Query(context.Background(), `SELECT count(*) FROM "synctrack"."load_ledger"`, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n int
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// A writer in another process (synctrack load from cron) is kept out only
// while a handle is out, as when each request opened the file: the last
// handle let go, it takes the file at once; while it holds the file, a
// handle is refused as "locked" (the page's 503), and after it the next
// handle reads what it wrote.
func TestReadersHoldTheFileOnlyWhileAHandleIsOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	newFile(t, path, 2)
	rs := duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	defer rs.Close()
	ctx := context.Background()

	q1, release1, err := rs.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q2, release2, err := rs.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := ledgerRows(t, q1), ledgerRows(t, q2); a != 2 || b != 2 {
		t.Fatalf("ledger rows through two handles: %d and %d, want 2", a, b)
	}
	if _, err := holdlock.Try(t, "TestHoldLockChild", path); err == nil {
		t.Fatal("a writer took the file while two handles were out")
	}
	release1()
	release1() // a second call does nothing
	if _, err := holdlock.Try(t, "TestHoldLockChild", path); err == nil {
		t.Fatal("a writer took the file while a handle was out")
	}
	release2()
	letGo := holdlock.Start(t, "TestHoldLockChild", path) // fails the test if the file is still held

	_, _, err = rs.Open(ctx)
	if reason, _ := warehouse.Explain(err); warehouse.ClassOf(err) != warehouse.Transient || reason != "locked" {
		t.Fatalf("a handle while a writer holds the file: %v (class %v, reason %q), want transient, locked",
			err, warehouse.ClassOf(err), reason)
	}
	letGo()

	w, err := duckdb.Open(ctx, duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	addLedgerRows(t, w, 3)
	w.Close()
	q3, release3, err := rs.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer release3()
	if n := ledgerRows(t, q3); n != 5 {
		t.Errorf("ledger rows after a write: %d, want 5", n)
	}
}

// Handles taken and let go from many goroutines at once read the file
// and, once all are back, leave it free for a writer.
func TestReadersConcurrentHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	newFile(t, path, 1)
	rs := duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, time.Now)
	defer rs.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				q, release, err := rs.Open(context.Background())
				if err != nil {
					errs <- err
					return
				}
				rows, err := q.Query(context.Background(), `SELECT count(*) FROM "synctrack"."load_ledger"`, nil)
				if err != nil {
					errs <- err
				} else {
					rows.Close()
				}
				release()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	holdlock.Start(t, "TestHoldLockChild", path)()
}

// A handle's warehouse does not take a person's statement: that locks the
// configuration of an instance other requests share.
func TestReadersHandleRefusesQueryReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	newFile(t, path, 0)
	rs := duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	defer rs.Close()
	q, release, err := rs.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, err := q.(warehouse.ReadOnlyQuerier).QueryReadOnly(context.Background(), "SELECT 1"); err == nil {
		t.Error("QueryReadOnly ran on a shared handle")
	}
}

// Open after Close, with a handle still out, is refused: it used to hand out
// a handle on the closed instance, whose first query panicked (found by review).
func TestReadersOpenAfterCloseRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	newFile(t, path, 0)
	rs := duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	_, release, err := rs.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := rs.Open(context.Background()); err == nil {
		t.Error("Open after Close handed out a handle")
	}
	release() // after Close: nothing to detach, no panic
}

// A request waiting for a handle held past readersHold (a long page) gives
// up when its client does: its context ends the wait at once, and the file
// is still let go with the last handle.
func TestReadersWaitEndsWithTheRequest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	newFile(t, path, 1)
	rs := duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, time.Now)
	defer rs.Close()
	_, release, err := rs.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // past readersHold: new requests wait
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, rel, err := rs.Open(ctx)
		if err == nil {
			rel()
		}
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a request shared a handle held past readersHold: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Fatalf("the given-up request got %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a request whose client hung up still waits for the handle out")
	}
	release()
	holdlock.Start(t, "TestHoldLockChild", path)()
}

// The page server keeps memory a request freed for the next one: given
// back at once (jemalloc's delay in DuckDB is a second), each request's
// buffers are new pages, a fault each (BENCHMARKS.md, "The record search
// after another page: the allocator").
func TestReadersKeepFreedMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("DuckDB links jemalloc only on Linux")
	}
	if err := duckdb.KeepFreedMemory(time.Second); err != nil {
		t.Fatal(err)
	}
	if d, ok := duckdb.FreedMemoryKept(); !ok || d != time.Second {
		t.Fatalf("before: %v, %v; want 1s", d, ok)
	}
	path := filepath.Join(t.TempDir(), "w.duckdb")
	newFile(t, path, 1)
	rs := duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	defer rs.Close()
	_, release, err := rs.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	release()
	if d, ok := duckdb.FreedMemoryKept(); !ok || d != 30*time.Second {
		t.Fatalf("after a page: %v, %v; want 30s", d, ok)
	}
}
