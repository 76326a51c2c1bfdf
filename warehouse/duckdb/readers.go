package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Readers is the web pages' way into a database file: one in-memory
// DuckDB, made once, to which the file is ATTACHed read-only while at
// least one request holds a handle and DETACHed when the last lets go.
// A writer in another process meets the same lock as when each request
// opened the file itself (held only while a page is being answered), but
// a request no longer pays for a new DuckDB instance (its extensions,
// thread pool) nor a new connection (its settings): attach and detach
// take 3 ms of CPU where opening and closing took 15, and the search's
// query 80 ms of CPU where it took 92 on a new instance (BENCHMARKS.md,
// "Where the record search's time goes"). The buffer pool starts cold either way: DETACH drops the
// file's blocks, as closing did. A process that also loads the file (the
// daemon) may use it: the attachment and the process's own instances take
// turns (fileuse.go), a page during such a load being refused as busy.
type Readers struct {
	c     Config
	now   func() time.Time
	log   *slog.Logger
	alias string

	mu     sync.Mutex
	freed  chan struct{}     // closed (and made anew) when the last handle is let go
	base   *duckdb.Connector // the in-memory instance; nil until needed
	admin  *sql.DB           // its connection that attaches and detaches
	pages  *sql.DB           // its connections that read the file, kept
	writer *sql.DB           // its connection that loads it (openWriter), kept
	held   int               // handles out
	// unhold lets this process's hold on the attached file go (fileuse.go);
	// nil while it is not attached.
	unhold func()
	// giveBack gives what the requests freed back to the system once none
	// has come for keepFreed, or once it has been kept for keepFreedMax
	// (see giveBackLater); kept is when the first of it was freed.
	giveBack  *time.Timer
	keepFreed time.Duration
	kept      time.Time
	// purges is how many times giveBackNow has tried again since the last
	// request (see giveBackAgain).
	purges int
	// paged is when a person's page (not a daemon's read: ForDaemon) last
	// got a handle: a load keeps what it frees only while they read pages.
	paged time.Time
	shut  bool // Close was called: Open refuses
	// fingerprint: a load registered its function in base's catalog
	// (openWriter).
	fingerprint bool
	// writing: a load of this process has the file attached for writing
	// (openWriter until its detach); Close leaves the instance to it.
	writing atomic.Bool
	// Pages that overlap keep the file attached. Once it has been for
	// readersHold (since), new requests wait (yielding) for the ones out,
	// and the file stays free for readersGap after (until): a load from
	// cron waiting for the lock (Options.LockWait) takes it then, however
	// busy the pages are.
	since, until time.Time
	yielding     bool
}

// readersHold is how long overlapping pages may keep the file attached, and
// readersGap how long it is then left free, several of openWaiting's tries.
const (
	readersHold = time.Second
	readersGap  = 100 * time.Millisecond
)

// readersKeepFreed is how long memory freed by a request is kept for the
// next: a person clicking through pages is seconds apart.
const readersKeepFreed = 30 * time.Second

var _ warehouse.Readers = (*Readers)(nil)

// NewReaders makes the Readers of c's file; nothing is opened until the
// first Open.
func NewReaders(c Config, now func() time.Time) *Readers {
	if now == nil {
		now = time.Now
	}
	log := c.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	// The attached file's catalog name: not the schema's, or
	// "schema"."table" would be ambiguous (see ParseURL).
	alias := "synctrack_file"
	if strings.EqualFold(alias, c.Schema) {
		alias = "synctrack_db"
	}
	r := &Readers{c: c, now: now, log: log.WithGroup("duckdb"), alias: alias, freed: make(chan struct{}), keepFreed: readersKeepFreed}
	shareInstance(c.Path, r)
	return r
}

func readers(raw string, o warehouse.Options) (warehouse.Readers, error) {
	c, err := ParseURL(raw)
	if err != nil {
		return nil, warehouse.Wrap(err, warehouse.Config, "bad_url", "")
	}
	c.Logger = o.Logger
	return NewReaders(c, o.Now), nil
}

// Open attaches the file if no handle is out, and returns a handle whose
// connection reads it as its default database. A file held by a writer in
// another process is a Transient error (reason "locked"), as Open's.
func (r *Readers) Open(ctx context.Context) (warehouse.Querier, func(), error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// A person's page, even one refused as busy during a load, is what
	// makes a load keep its memory for the next (endWrite).
	person := !warehouse.ByDaemon(ctx)
	if person {
		r.paged = time.Now()
	}
	for {
		if r.shut {
			return nil, nil, warehouse.Wrap(fmt.Errorf("read %s: closed", r.c.Path), warehouse.Config, "closed", "")
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if r.held > 0 && instanceWanted(r.c.Path) {
			// A load of this process waits for the pages out: no more.
			return nil, nil, errLoadHere(r.c.Path)
		}
		if r.held > 0 && !r.yielding && time.Since(r.since) < readersHold {
			break // share the file the pages out have attached
		}
		if r.held > 0 {
			// Wait for the pages out, or for this request to be given up:
			// a client that hung up leaves no waiter behind.
			r.yielding = true
			freed := r.freed
			r.mu.Unlock()
			select {
			case <-ctx.Done():
			case <-freed:
			}
			r.mu.Lock()
			continue
		}
		if wait := time.Until(r.until); wait > 0 {
			r.mu.Unlock()
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
			r.mu.Lock()
			continue
		}
		if err := r.attach(ctx); err != nil {
			return nil, nil, err
		}
		r.since = time.Now()
		break
	}
	r.held++
	w := &Warehouse{db: r.pages, d: dialects.DuckDB{}, schema: r.c.Schema, path: r.c.Path, now: r.now, log: r.log,
		readOnly: true, shared: true}
	return w, sync.OnceFunc(func() { r.release(person) }), nil
}

// maxIdlePages is how many reading connections are kept between requests:
// enough for the requests a page server answers at once (database/sql keeps
// 2 unless told), so a busy spell does not make connections again.
const maxIdlePages = 8

// attach makes the instance when there is none and attaches the file.
func (r *Readers) attach(ctx context.Context) (err error) {
	unhold, err := holdAttachment(r.c.Path)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			unhold()
		}
	}()
	// Each request reads its blocks into new buffers: keep the memory the
	// last requests freed for the next (see keepFreedMemory). Set at each
	// attach: a load in this process sets the allocator's own delay back.
	if err := keepFreedMemory(r.keepFreed); err != nil {
		r.log.Debug("freed memory goes back to the system at once", "err", err)
	}
	if err := r.instance(); err != nil {
		return err
	}
	if err := checkDatabaseFile(r.c.Path); err != nil {
		return err
	}
	d := dialects.DuckDB{}
	stmt := "ATTACH " + d.String(r.c.Path) + " AS " + d.Ident(r.alias) + " (READ_ONLY)"
	if _, err := r.admin.ExecContext(ctx, stmt); err != nil {
		return openError(r.c.Path, err)
	}
	r.unhold = unhold
	return nil
}

// instance makes the in-memory instance when there is none; on mu.
func (r *Readers) instance() error {
	if r.base != nil {
		return nil
	}
	// Spill where a file-backed instance would: beside the file.
	stmts := append(settings(r.c), "SET temp_directory = "+dialects.DuckDB{}.String(r.c.Path+".tmp"))
	// Not ctx: the instance outlives the request that made it.
	base, err := duckdb.NewConnector("", initConn(stmts))
	if err != nil {
		return classify(fmt.Errorf("open an in-memory DuckDB to read %s: %w", r.c.Path, err), nil)
	}
	r.base, r.admin = base, sql.OpenDB(base)
	r.admin.SetMaxOpenConns(1)
	// A connection is kept once made: a new one for each request, with
	// its settings, cost more CPU than the attach saved.
	r.pages = sql.OpenDB(useConnector{base: base, use: dialects.DuckDB{}.Ident(r.alias)})
	r.pages.SetMaxIdleConns(maxIdlePages)
	// A load's one connection (temp tables are per connection), made now
	// and kept: DuckDB empties the allocator's arenas as it makes a
	// connection, which would give back what the pages keep.
	r.writer = sql.OpenDB(useConnector{base: base, use: dialects.DuckDB{}.Ident(r.alias), on: &r.writing})
	r.writer.SetMaxOpenConns(1)
	r.writer.SetMaxIdleConns(1)
	if err := r.writer.PingContext(context.Background()); err != nil {
		return errors.Join(classify(fmt.Errorf("open an in-memory DuckDB to read %s: %w", r.c.Path, err), nil), r.closeBase())
	}
	return nil
}

// release lets a handle go and, with the last handle, detaches the file.
// Should DuckDB refuse to detach it, the whole instance is closed instead:
// the file's lock must go with the last request.
func (r *Readers) release(person bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if person {
		r.paged = time.Now() // a long download counts from its end
	}
	r.held--
	if r.held > 0 || r.base == nil {
		return
	}
	_, err := r.admin.ExecContext(context.Background(), "DETACH "+dialects.DuckDB{}.Ident(r.alias))
	if err != nil {
		r.log.Warn("detach failed: closing the reading instance", "path", r.c.Path, "err", err)
		r.closeBase()
	}
	r.letFileGo()
	r.keepFreedForPages()
	if r.yielding {
		r.yielding, r.until = false, time.Now().Add(readersGap)
	}
	r.broadcast()
}

// keepFreedForPages keeps what was freed for a person's next page if one
// came within keepFreed, and gives it back now if only the daemon's own
// reads did; on mu.
func (r *Readers) keepFreedForPages() {
	if time.Since(r.paged) < r.keepFreed {
		r.giveBackLater()
	} else {
		r.giveBackNow()
	}
}

// giveBackLater gives the memory the requests freed back to the system
// if no request comes for keepFreed, and at the latest keepFreedMax after
// the first of it was freed: the daemon's idle cycles read through here
// every few seconds, and would keep it for as long as the daemon runs. On
// mu. (The allocator's own delay is counted in its calls, which stop when
// the requests do.)
func (r *Readers) giveBackLater() {
	now := time.Now()
	r.purges = 0
	if r.kept.IsZero() {
		r.kept = now
	}
	wait := min(r.keepFreed, r.kept.Add(keepFreedMax(r.keepFreed)).Sub(now))
	if wait <= 0 {
		r.giveBackNow()
		return
	}
	r.giveBackIn(wait)
}

// giveBackIn calls giveBackNow after wait unless a request or a load is
// out then (the release of the last one sets it again); on mu.
func (r *Readers) giveBackIn(wait time.Duration) {
	if r.giveBack != nil {
		r.giveBack.Reset(wait)
		return
	}
	r.giveBack = time.AfterFunc(wait, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.held == 0 && !r.writing.Load() {
			// Not while a load of this process writes through the
			// instance: what it frees is its own to reuse, and its end
			// (endWrite) sets this again.
			r.giveBackNow()
		}
	})
}

// keepFreedMax is how long the memory freed by requests one after another
// is kept at the most: a page after that is slower, once.
func keepFreedMax(keep time.Duration) time.Duration { return 4 * keep }

// A purge that finds an arena being purged by another thread (DuckDB's
// own, as it frees the rest of a query) leaves that arena as it is and
// says nothing; with no request after, its pages would stay. So while
// more than giveBackLeft pages are still kept, giveBackNow tries again
// giveBackAgain later, up to giveBackTries times.
const (
	giveBackLeft  = 1024 // 4 MiB of 4 KiB pages
	giveBackAgain = 250 * time.Millisecond
	giveBackTries = 8
)

// purgeFreed and pagesKept are the allocator's, or a test's.
var (
	purgeFreed = giveBackFreedMemory
	pagesKept  = freedPagesKept
)

// giveBackNow gives what the requests freed back to the system; on mu.
func (r *Readers) giveBackNow() {
	r.kept = time.Time{}
	if err := purgeFreed(); err != nil {
		r.log.Debug("freed memory kept", "err", err)
		return
	}
	if n, ok := pagesKept(); ok && n > giveBackLeft && r.purges < giveBackTries && !r.shut {
		r.purges++
		r.giveBackIn(giveBackAgain)
		return
	}
	r.purges = 0
}

// broadcast wakes the requests waiting for the handles out; on mu.
func (r *Readers) broadcast() {
	close(r.freed)
	r.freed = make(chan struct{})
}

// Close closes the in-memory instance, the file with it.
func (r *Readers) Close() error {
	unshareInstance(r.c.Path, r)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shut = true
	if r.giveBack != nil {
		r.giveBack.Stop()
	}
	r.broadcast()
	if r.writing.Load() {
		return nil // the load's detach closes it
	}
	return r.closeBase()
}

func (r *Readers) closeBase() error {
	if r.base == nil {
		return nil
	}
	err := errors.Join(r.pages.Close(), r.writer.Close(), r.admin.Close(), r.base.Close())
	r.base, r.admin, r.pages, r.writer = nil, nil, nil, nil
	r.fingerprint = false
	r.letFileGo()
	return err
}

// letFileGo ends this process's hold on the file once it is detached or
// its instance closed; on mu.
func (r *Readers) letFileGo() {
	if r.unhold != nil {
		r.unhold()
		r.unhold = nil
	}
}

// useConnector makes connections to base's instance whose default
// database is the attached file, so that "schema"."table" names it.
type useConnector struct {
	base *duckdb.Connector
	use  string // the catalog, quoted
	// on, when set, says whether the file is attached: the load's
	// connection is made with the instance, before it is, and again by
	// database/sql mid-load (it drops one whose transaction was cancelled).
	on *atomic.Bool
}

func (u useConnector) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := u.base.Connect(ctx)
	if err != nil || u.on != nil && !u.on.Load() {
		return c, err
	}
	if _, err := c.(driver.ExecerContext).ExecContext(ctx, "USE "+u.use, nil); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (u useConnector) Driver() driver.Driver { return u.base.Driver() }
