package duckdb

import (
	"time"

	"github.com/synctrack/synctrack/warehouse"
)

// TallyFallbacks counts the batches whose counts the SQL pass wrote.
var TallyFallbacks = &tallyFallbacks

// TallyPrepared counts the files whose counts were grouped as they were staged.
var TallyPrepared = &tallyPrepared

// AfterRecordsInsert is called between a batch's records INSERT and its counts.
var AfterRecordsInsert = &afterRecordsInsert

// MaxTallyBytes bounds the strings a batch's Go grouping keeps.
var MaxTallyBytes = &maxTallyBytes

// PauseBackground keeps the background from beginning any of w's files
// until the function it returns is called: the load's workers take them all.
func PauseBackground(w *Warehouse) func() {
	w.prep.pause()
	return w.prep.resume
}

// WaitPrepared waits up to a minute for the background to finish with a
// file PrepareRecords returned p for (done, failed or left); false if not.
func WaitPrepared(p any) bool {
	x, ok := p.(*prepared)
	if !ok {
		return false
	}
	for range 6000 {
		if s := x.state.Load(); s == prepDone || s == prepTaken {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// CachedBlocksBound is how many bytes of table blocks a records batch may
// leave cached.
var CachedBlocksBound = &cachedBlocksBound

// HoldEviction holds w as an eviction does (memory_limit down) until the
// returned func.
func HoldEviction(w *Warehouse) func() {
	w.evicting.Lock()
	return w.evicting.Unlock
}

// KeepFreedMemory and FreedMemoryKept set and read the allocator's delay
// before freed memory goes back to the system.
var (
	KeepFreedMemory = keepFreedMemory
	FreedMemoryKept = freedMemoryKept
)

// FreedPagesKept is how many pages the allocator keeps freed.
var FreedPagesKept = freedPagesKept

// SetKeepFreed sets how long r keeps what its requests freed.
func SetKeepFreed(r *Readers, d time.Duration) { r.keepFreed = d }

// ForgetPages makes r's last person's page long ago.
func ForgetPages(r *Readers) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paged = time.Time{}
}

// InsertOrder lists the keys each of a batch's records INSERTs reads, in
// the order they run.
func InsertOrder(w *Warehouse, files []warehouse.File) [][]string {
	var out [][]string
	for _, q := range w.insertRecordsSQLs(files) {
		out = append(out, q.keys)
	}
	return out
}
