package duckdb_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// The daemon loads the file and answers its pages in one process, where
// DuckDB lets an instance and an attachment of the same file in together
// (its fcntl lock is the process's). They take turns instead: a load waits
// for the page out, and no page starts while the load has the file.
func TestLoadAndPagesOfOneProcessTakeTurns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	newFile(t, path, 1)
	c := duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}
	rs := duckdb.NewReaders(c, nil)
	defer rs.Close()
	_, release, err := rs.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type opened struct {
		w   *duckdb.Warehouse
		err error
	}
	done := make(chan opened, 1)
	go func() {
		// Written another way, to the same file.
		w, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(filepath.Dir(path), ".", "w.duckdb"),
			Schema: "synctrack", MemoryLimit: "128MB"}, nil)
		done <- opened{w, err}
	}()
	select {
	case o := <-done:
		if o.w != nil {
			o.w.Close()
		}
		t.Fatalf("the load opened the file while a page of this process had it attached (err %v)", o.err)
	case <-time.After(300 * time.Millisecond):
	}
	// While the load waits, a new page is turned away, not let in before it.
	if _, _, err := rs.Open(ctx); warehouse.ClassOf(err) != warehouse.Transient {
		t.Fatalf("a page while a load waits: %v, want a transient error", err)
	}
	release()
	var o opened
	select {
	case o = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the load still waits after the page let the file go")
	}
	if o.err != nil {
		t.Fatal(o.err)
	}
	addLedgerRows(t, o.w, 3)
	_, _, err = rs.Open(ctx)
	if reason, _ := warehouse.Explain(err); warehouse.ClassOf(err) != warehouse.Transient || reason != "locked" {
		t.Fatalf("a page during the load: %v, want transient, locked", err)
	}
	if err := o.w.Close(); err != nil {
		t.Fatal(err)
	}
	q, release, err := rs.Open(ctx)
	if err != nil {
		t.Fatalf("a page after the load: %v", err)
	}
	defer release()
	if n := ledgerRows(t, q); n != 4 {
		t.Errorf("the page after the load reads %d ledger rows, want 4", n)
	}
}

// A load waiting for this process's pages gives up with its request.
func TestLoadWaitingForPagesEndsWithItsContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	newFile(t, path, 1)
	rs := duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	defer rs.Close()
	_, release, err := rs.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	w, err := duckdb.Open(ctx, duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	if err == nil {
		w.Close()
		t.Fatal("opened while a page of this process had the file attached")
	}
	release()
	// The given-up wait left nothing behind: pages and loads go on.
	if _, rel, err := rs.Open(context.Background()); err != nil {
		t.Fatalf("a page after the load gave up: %v", err)
	} else {
		rel()
	}
	w, err = duckdb.Open(context.Background(), duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
}

// The pages keep freed memory for the next page; a load of another file
// in the same process (an instance of its own) runs with the allocator's
// own delay.
func TestLoadOfAnotherFileSetsTheAllocatorBack(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("DuckDB links jemalloc only on Linux")
	}
	dir := t.TempDir()
	path, other := filepath.Join(dir, "w.duckdb"), filepath.Join(dir, "other.duckdb")
	newFile(t, path, 1)
	own, ok := duckdb.FreedMemoryKept()
	if !ok {
		t.Fatal("no jemalloc in this DuckDB")
	}
	if own == 30*time.Second {
		// Another test's page set it: a load of a file alone sets it back.
		newFile(t, other, 1)
		own, _ = duckdb.FreedMemoryKept()
	}
	rs := duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	defer rs.Close()
	page := func() {
		t.Helper()
		_, release, err := rs.Open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		release()
		if d, _ := duckdb.FreedMemoryKept(); d != 30*time.Second {
			t.Fatalf("after a page: %v, want 30s", d)
		}
	}
	page()
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: other, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := duckdb.FreedMemoryKept(); d != own || d == 30*time.Second {
		t.Errorf("during a load of another file: %v, want the allocator's own %v", d, own)
	}
	w.Close()
	page()
}

// A load of the pages' own file runs in the pages' instance, so the memory
// the pages keep for their next request is still there after it: on an
// instance of its own, DuckDB emptied the allocator as the load closed it,
// and the first page after each of the daemon's loads read into fresh
// memory (BENCHMARKS.md, "The daemon's load in the pages' instance"). What
// it wrote is in the file, checkpointed, for this process and another.
func TestLoadInThePagesInstanceKeepsTheirMemory(t *testing.T) {
	if _, ok := duckdb.FreedPagesKept(); !ok {
		t.Skip("this DuckDB's allocator keeps no statistics")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	c := duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "256MB"}
	w, err := duckdb.Open(ctx, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB().Exec(`CREATE TABLE synctrack.big AS SELECT i, repeat('x', 100) || i AS s FROM range(1000000) t(i)`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	rs := duckdb.NewReaders(c, nil)
	defer rs.Close()
	page := func(q string) {
		t.Helper()
		h, release, err := rs.Open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		rows, err := h.Query(ctx, q, nil)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for load := range 3 {
		page(`SELECT count(DISTINCT s) FROM synctrack.big`)
		kept, _ := duckdb.FreedPagesKept()
		if kept < 1000 {
			t.Fatalf("%d pages kept after the page, want the query's memory (1000 or more)", kept)
		}
		w, err = duckdb.Open(ctx, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		addLedgerRows(t, w, 2)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if after, _ := duckdb.FreedPagesKept(); after < kept/2 {
			t.Fatalf("load %d: %d pages kept after it, %d before: the load gave back the pages' memory", load, after, kept)
		}
	}
	if _, err := os.Stat(path + ".wal"); !os.IsNotExist(err) {
		t.Errorf("the loads left a write-ahead log (%v): the file was not checkpointed", err)
	}
	// With no person's page for the time memory is kept, only the daemon's
	// own reads, a load gives back what it and they freed.
	duckdb.ForgetPages(rs)
	daemonRead := func() {
		t.Helper()
		h, release, err := rs.Open(warehouse.ForDaemon(ctx))
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		rows, err := h.Query(ctx, `SELECT count(DISTINCT s) FROM synctrack.big`, nil)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
	}
	daemonRead()
	if kept, _ := duckdb.FreedPagesKept(); kept > 500 {
		t.Errorf("%d pages kept after a daemon's read with no person's page, want them given back", kept)
	}
	w, err = duckdb.Open(ctx, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB().Exec(`CREATE TABLE synctrack.distinct_s AS SELECT count(DISTINCT s) AS n FROM synctrack.big`); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if after, _ := duckdb.FreedPagesKept(); after > 500 {
		t.Errorf("%d pages kept after a load with no person's page for the time memory is kept, want them given back", after)
	}
	h, release, err := rs.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := ledgerRows(t, h); n != 6 {
		t.Errorf("a page after the loads reads %d ledger rows, want 6", n)
	}
	release()
	rs.Close()
	alone, err := duckdb.Open(ctx, duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB", ReadOnly: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer alone.Close()
	if n := ledgerRows(t, alone); n != 6 {
		t.Errorf("the file opened alone holds %d ledger rows, want 6", n)
	}
}

// The daemon's pages before its first load has made the file: busy for
// now (a 503, try again), not the read-only rule's "open it writable".
func TestReadersBeforeTheFileExists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	rs := duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	defer rs.Close()
	_, _, err := rs.Open(context.Background())
	reason, hint := warehouse.Explain(err)
	if warehouse.ClassOf(err) != warehouse.Transient || reason != "no_database" || !strings.Contains(hint, "first load") {
		t.Fatalf("%v (class %v, reason %q, hint %q), want transient, no_database", err, warehouse.ClassOf(err), reason, hint)
	}
	newFile(t, path, 2)
	q, release, err := rs.Open(context.Background())
	if err != nil {
		t.Fatalf("after the first load: %v", err)
	}
	defer release()
	if n := ledgerRows(t, q); n != 2 {
		t.Errorf("%d ledger rows, want 2", n)
	}
}

// What the pages freed is given back once no page has come for the time
// it is kept: the allocator's own delay is counted in its calls, so in a
// process that then asks DuckDB for nothing (a daemon between cycles) it
// would stay. Nor is it kept for ever by requests that keep coming (the
// daemon's idle cycles read through the pages' handle every few seconds).
func TestReadersGiveFreedMemoryBack(t *testing.T) {
	if _, ok := duckdb.FreedPagesKept(); !ok {
		t.Skip("this DuckDB's allocator keeps no statistics")
	}
	path := filepath.Join(t.TempDir(), "w.duckdb")
	newFile(t, path, 1)
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "256MB"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB().Exec(`CREATE TABLE synctrack.big AS SELECT i, repeat('x', 100) || i AS s FROM range(1000000) t(i)`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	rs := duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "256MB"}, nil)
	defer rs.Close()
	duckdb.SetKeepFreed(rs, time.Second)
	page := func(q string) {
		t.Helper()
		h, release, err := rs.Open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		rows, err := h.Query(context.Background(), q, nil)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
	}
	for _, every := range []time.Duration{0, 200 * time.Millisecond} {
		page(`SELECT count(DISTINCT s) FROM synctrack.big`)
		kept, _ := duckdb.FreedPagesKept()
		if kept < 1000 {
			t.Fatalf("%d pages kept after the page, want the query's memory (1000 or more)", kept)
		}
		start := time.Now()
		for {
			n, _ := duckdb.FreedPagesKept()
			if n < kept/10 {
				t.Logf("small requests every %v: pages kept: %d after the page, %d after %v", every, kept, n, time.Since(start).Round(time.Millisecond))
				break
			}
			// Kept for a second, then purged as jemalloc decays them: 1-4 s
			// on an idle machine; a CI run beside other work took over 10.
			if time.Since(start) > 30*time.Second {
				t.Fatalf("small requests every %v: pages kept: %d after the page, still %d after 30 s", every, kept, n)
			}
			if every > 0 {
				page(`SELECT 1`)
				time.Sleep(every)
			} else {
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
}

// A load whose URL sets other limits than the pages' runs with its own in
// the pages' instance and gives the pages theirs back after.
func TestLoadWithOtherSettingsGivesThePagesTheirsBack(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	newFile(t, path, 1)
	rs := duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	defer rs.Close()
	setting := func(q warehouse.Querier) string {
		t.Helper()
		return textValue(t, q, `SELECT current_setting('memory_limit') || ', threads ' || current_setting('threads') || ', in ' || current_database()`)
	}
	page := func() string {
		t.Helper()
		h, release, err := rs.Open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		return setting(h)
	}
	before := page()
	w, err := duckdb.Open(ctx, duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "300MB", Threads: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	during := setting(w)
	addLedgerRows(t, w, 1)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if after := page(); after != before || during == before || !strings.HasSuffix(during, ", threads 1, in "+strings.Fields(before)[len(strings.Fields(before))-1]) {
		t.Errorf("pages %q, the load %q, pages after it %q; want the load's own settings in the pages' catalog, and the pages' back", before, during, after)
	}
}

// textValue is q's one value as text.
func textValue(t *testing.T, q warehouse.Querier, sql string) string {
	t.Helper()
	rows, err := q.Query(context.Background(), sql, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var s string
	for rows.Next() {
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// A load's transaction cancelled in the pages' instance (a daemon stopping
// past its grace period) leaves the load's connection on the file: what
// the load does next (its lease released) still reads and writes it.
func TestLoadCancelledInThePagesInstance(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	newFile(t, path, 1)
	rs := duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	defer rs.Close()
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tx, err := w.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO synctrack.load_ledger (key, etag, kind, status) VALUES ('cancelled', 'e', 'records', 'loaded')`); err != nil {
		t.Fatal(err)
	}
	cancel()
	time.Sleep(50 * time.Millisecond) // database/sql rolls back and drops the connection
	if n := ledgerRows(t, w); n != 1 {
		t.Errorf("after the cancelled transaction the load reads %d ledger rows, want 1", n)
	}
	addLedgerRows(t, w, 2)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	h, release, err := rs.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if n := ledgerRows(t, h); n != 3 {
		t.Errorf("a page after the load reads %d ledger rows, want 3", n)
	}
}

// The pages closed while a load has the file (the daemon stopping) leave
// the load to end as it would have; a load whose schema is the pages'
// name for the file opens it as an instance of its own.
func TestLoadOutlivesThePagesInstance(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	newFile(t, path, 1)
	rs := duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	w, err := duckdb.Open(ctx, duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.Close(); err != nil {
		t.Fatal(err)
	}
	addLedgerRows(t, w, 2)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rs = duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	defer rs.Close()
	// A second load of the file in this process, the first still open, is
	// turned away as DuckDB's lock turns away another process's: each
	// would drop the other's writes as it closed.
	first, err := duckdb.Open(ctx, duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs.Close()
	_, err = duckdb.Open(ctx, duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	if reason, _ := warehouse.Explain(err); warehouse.ClassOf(err) != warehouse.Transient || reason != "locked" {
		t.Errorf("a second load while the first is open: %v, want transient, locked", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	rs = duckdb.NewReaders(duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	defer rs.Close()
	other, err := duckdb.Open(ctx, duckdb.Config{Path: path, Schema: "synctrack_file", MemoryLimit: "128MB"}, nil)
	if err != nil {
		t.Fatalf("a load whose schema is the pages' catalog name: %v", err)
	}
	if db := textValue(t, other, `SELECT current_database()`); db == "synctrack_file" {
		t.Errorf("the load of schema synctrack_file ran in the pages' instance, whose catalog has that name")
	}
	other.Close()
	alone, err := duckdb.Open(ctx, duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "128MB", ReadOnly: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer alone.Close()
	if n := ledgerRows(t, alone); n != 3 {
		t.Errorf("the file holds %d ledger rows, want 3", n)
	}
}
