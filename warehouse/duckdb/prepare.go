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
// writes on one thread), never during a records INSERT. What is not grouped
// by the time its batch's rows are inserted, countBatch's workers group
// then, as they group a file nobody prepared (a load of one batch: all).

// Where a prepared file is: not begun, being grouped, done.
const (
	prepTodo int32 = iota
	prepBusy
	prepDone
)

// prepared is a records file handed over at staging: the file as it was
// then (its footer, its stat) and, once grouped, its groups or why not.
type prepared struct {
	f     warehouse.File
	pf    *parquet.File // nil once grouped
	info  os.FileInfo
	state atomic.Int32
	done  chan struct{} // closed once grouped
	tally *batchTally   // its files: this one's groups
	err   error
}

// preparer is the queue of files the background goroutine groups, and
// whether it may: not while a records INSERT runs (paused > 0), whose
// threads a grouping slows even at the lowest priority (two vCPUs are
// often one core's two hyperthreads): single-batch loads of large files
// took 2-4% longer with it running then (BENCHMARKS.md).
type preparer struct {
	mu      sync.Mutex
	resumed sync.Cond // signalled when paused drops to 0
	queue   []*prepared
	running bool
	paused  int
}

// pause stops the background grouping from starting another file until
// resume; the file it is on, it finishes.
func (q *preparer) pause() {
	q.mu.Lock()
	q.paused++
	q.mu.Unlock()
}

func (q *preparer) resume() {
	q.mu.Lock()
	if q.paused--; q.paused == 0 && q.resumed.L != nil {
		q.resumed.Broadcast()
	}
	q.mu.Unlock()
}

// PrepareRecords queues a staged records file for its counts to be grouped
// in the background (warehouse.RecordsPreparer) and returns at once.
func (w *Warehouse) PrepareRecords(f warehouse.File, pf *parquet.File, info os.FileInfo) any {
	if w.noCounts || f.Local == "" || info == nil {
		return nil
	}
	p := &prepared{f: f, pf: pf, info: info, done: make(chan struct{})}
	q := &w.prep
	q.mu.Lock()
	q.queue = append(q.queue, p)
	start := !q.running
	q.running = true
	q.mu.Unlock()
	if start {
		go q.run()
	}
	return p
}

// run groups queued files until the queue is empty, on a thread of its own
// whose priority it lowers; the thread ends with the goroutine (never
// unlocked), so no other goroutine runs at that priority.
func (q *preparer) run() {
	runtime.LockOSThread()
	lowerThreadPriority()
	for {
		q.mu.Lock()
		if q.resumed.L == nil {
			q.resumed.L = &q.mu
		}
		for q.paused > 0 {
			q.resumed.Wait()
		}
		if len(q.queue) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		p := q.queue[0]
		q.queue[0], q.queue = nil, q.queue[1:]
		q.mu.Unlock()
		p.group()
	}
}

// group groups p's file unless some goroutine already began to.
func (p *prepared) group() {
	if !p.state.CompareAndSwap(prepTodo, prepBusy) {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			p.tally, p.err = nil, fmt.Errorf("group counts: %v", r)
		}
		p.pf = nil
		p.state.Store(prepDone)
		close(p.done)
	}()
	fh, err := os.Open(p.f.Local)
	if err != nil {
		p.err = err
		return
	}
	defer fh.Close()
	// The footer was read from the file as the stager saw it; another one
	// now would be read with the wrong footer.
	if st, err := fh.Stat(); err != nil || !sameFile(st, p.info) {
		p.err = fmt.Errorf("%w: the file changed since it was staged", errNoTally)
		return
	}
	t := newBatchTally(p.f.Rows)
	t.src = fh
	g, err := t.read(p.f, p.pf)
	// Kept until its batch loads: the groups and strings, not the buffers
	// the reading used (a few MiB for a file of 50,000 rows).
	t.src, t.rowBuf, t.dict, t.codes, t.fp = nil, rowGroupCols{}, nil, nil, analysis.Fingerprinter{}
	t.files = append(t.files, g)
	p.tally, p.err = t, err
}

// result waits for p to be grouped.
func (p *prepared) result() (*batchTally, error) {
	<-p.done
	return p.tally, p.err
}
