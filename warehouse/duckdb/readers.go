package duckdb

import (
	"context"
	"database/sql"
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
