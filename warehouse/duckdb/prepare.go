package duckdb

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/parquet-go/parquet-go"

	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// The counts of a batch's files are grouped ahead, while the batch before
// it loads: the stager hands each records file over (PrepareRecords) with
// its footer decoded, and one goroutine, on a thread of the lowest CPU
// priority, groups them in the time DuckDB leaves a core idle (its commit
// writes on one thread). It begins no file while a records INSERT runs. A
// file it has not grouped by the time its batch's rows are in, countBatch's
// workers group, as they group a file nobody prepared (a load of one batch:
// nearly all); one it is still on, they group again rather than wait for a
// thread that gets little CPU.

// Where a prepared file is: not begun, being grouped, done, or taken by
// the load before the background began it.
const (
	prepTodo int32 = iota
	prepBusy
	prepDone
	prepTaken // by the load's workers (tallyBatch), into a tally of theirs
)

// prepared is a records file handed over at staging: the file as it was
// then (its footer, its stat) and, once done, its groups or why not.
type prepared struct {
	q     *preparer
	f     warehouse.File
	pf    *parquet.File // nil once grouped
	info  os.FileInfo
	state atomic.Int32
	tally *batchTally // its files: this one's groups; read once state is prepDone
	err   error
}

// preparer is one warehouse's share of the background grouping: whether a
// records INSERT of its runs (paused > 0) or it is closed. Guarded by
// ahead.mu.
type preparer struct {
	paused int
	closed bool
	// kept is the bytes of distinct strings its prepared tallies hold
	// while still referenced (runtime.AddCleanup gives them back): past
	// maxTallyBytes the background leaves files to the load, whose batch
	// has its own bound, so Go's memory stays bounded.
	kept atomic.Int64
}

// ahead is the process's one background grouping goroutine and its queue.
// The goroutine lives as long as the process, locked to a thread of its
// own whose priority it lowers: a goroutine that exits locked ends its
// thread, and a child started from that thread with a parent-death signal
// (the tests' PostgreSQL server) would die with it.
var ahead struct {
	once  sync.Once
	mu    sync.Mutex
	wake  sync.Cond
	queue []*prepared
}

// PrepareRecords queues a staged records file for its counts to be grouped
// in the background (warehouse.RecordsPreparer) and returns at once.
func (w *Warehouse) PrepareRecords(f warehouse.File, pf *parquet.File, info os.FileInfo) any {
	if w.noCounts || f.Local == "" || info == nil {
		return nil
	}
	ahead.once.Do(func() {
		ahead.wake.L = &ahead.mu
		go groupAhead()
	})
	p := &prepared{q: &w.prep, f: f, pf: pf, info: info}
	ahead.mu.Lock()
	defer ahead.mu.Unlock()
	if w.prep.closed {
		return nil
	}
	ahead.queue = append(ahead.queue, p)
	ahead.wake.Signal()
	return p
}

// groupAhead groups queued files, one at a time, each when its warehouse
// runs no records INSERT.
func groupAhead() {
	runtime.LockOSThread() // never unlocked: see ahead
	lowerThreadPriority()
	for {
		p := nextAhead()
		if p.q.kept.Load() <= maxTallyBytes {
			p.group()
		}
	}
}

// nextAhead takes the first queued file whose warehouse is not paused,
// waiting for one; files of closed warehouses are dropped.
func nextAhead() *prepared {
	ahead.mu.Lock()
	defer ahead.mu.Unlock()
	for {
		q := ahead.queue[:0]
		var next *prepared
		for _, p := range ahead.queue {
			switch {
			case p.q.closed:
			case next == nil && p.q.paused == 0:
				next = p
			default:
				q = append(q, p)
			}
		}
		clear(ahead.queue[len(q):])
		ahead.queue = q
		if next != nil {
			return next
		}
		ahead.wake.Wait()
	}
}

// pause stops the background from beginning another of this warehouse's
// files until resume.
func (q *preparer) pause() {
	ahead.mu.Lock()
	q.paused++
	ahead.mu.Unlock()
}

func (q *preparer) resume() {
	ahead.mu.Lock()
	if q.paused--; q.paused == 0 && ahead.wake.L != nil {
		ahead.wake.Broadcast()
	}
	ahead.mu.Unlock()
}

// close drops this warehouse's queued files; none is begun after.
func (q *preparer) close() {
	ahead.mu.Lock()
	q.closed = true
	ahead.mu.Unlock()
}

// group groups p's file unless some goroutine already began to; false if
// one had.
func (p *prepared) group() bool {
	if !p.state.CompareAndSwap(prepTodo, prepBusy) {
		return false
	}
	defer func() {
		if r := recover(); r != nil {
			p.tally, p.err = nil, fmt.Errorf("group counts: %v", r)
		}
		p.pf = nil
		if p.tally != nil && p.err == nil {
			kept := p.tally.kept
			p.q.kept.Add(kept)
			runtime.AddCleanup(p, func(q *preparer) { q.kept.Add(-kept) }, p.q)
		}
		p.state.Store(prepDone)
	}()
	fh, err := os.Open(p.f.Local)
	if err != nil {
		p.err = err
		return true
	}
	defer fh.Close()
	// The footer was read from the file as the stager saw it; another one
	// now would be read with the wrong footer.
	if st, err := fh.Stat(); err != nil || !sameFile(st, p.info) {
		p.err = fmt.Errorf("%w: the file changed since it was staged", errNoTally)
		return true
	}
	if err := checkPages(fh, p.info.Size(), p.pf); err != nil {
		p.err = err
		return true
	}
	t := newBatchTally(p.f.Rows)
	t.src = fh
	g, err := t.read(p.f, p.pf)
	// Kept until its batch loads: the groups and strings, not the buffers
	// the reading used (a few MiB for a file of 50,000 rows).
	t.src, t.rowBuf, t.dict, t.codes, t.fp = nil, rowGroupCols{}, nil, nil, analysis.Fingerprinter{}
	t.files = append(t.files, g)
	p.tally, p.err = t, err
	return true
}

// addTaken groups the file of p, which the load took before the background
// began it, into t as its next file, with the footer the stager decoded.
// tallyBatch takes only files the INSERT read as the stager saw them, and
// countBatch checks none changed since; this checks again before the
// footer is used.
func (t *batchTally) addTaken(p *prepared) error {
	pf := p.pf
	p.pf = nil
	fh, err := os.Open(p.f.Local)
	if err != nil {
		return fmt.Errorf("%s: %w", p.f.Key, err)
	}
	defer fh.Close()
	if st, err := fh.Stat(); err != nil || !sameFile(st, p.info) {
		return fmt.Errorf("%s: %w: the file changed since it was staged", p.f.Key, errNoTally)
	}
	if err := checkPages(fh, p.info.Size(), pf); err != nil {
		return fmt.Errorf("%s: %w", p.f.Key, err)
	}
	t.src = fh
	defer func() { t.src = nil }()
	g, err := t.read(p.f, pf)
	if err != nil {
		return fmt.Errorf("%s: %w", p.f.Key, err)
	}
	t.files = append(t.files, g)
	return nil
}

// done returns p's groups if they were made without an error.
func (p *prepared) done() (*batchTally, bool) {
	if p.state.Load() != prepDone || p.err != nil {
		return nil, false
	}
	return p.tally, true
}
