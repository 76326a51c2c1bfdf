package duckdb

/*
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

// DuckDB's Linux builds link jemalloc with this prefix; a libduckdb built
// without it leaves the weak reference NULL.
extern int duckdb_je_mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen) __attribute__((weak));

static int st_je_linked(void) { return duckdb_je_mallctl != NULL; }

static int st_je_set_decay(ssize_t ms) {
	int rc = duckdb_je_mallctl("arenas.dirty_decay_ms", NULL, NULL, &ms, sizeof(ms));
	if (rc != 0) return rc;
	rc = duckdb_je_mallctl("arenas.muzzy_decay_ms", NULL, NULL, &ms, sizeof(ms));
	if (rc != 0) return rc;
	// Arenas made already keep the default they were made with. Those
	// not made yet answer EFAULT and take the new default when made.
	unsigned n = 0;
	size_t len = sizeof(n);
	rc = duckdb_je_mallctl("arenas.narenas", &n, &len, NULL, 0);
	if (rc != 0) return rc;
	for (unsigned i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof(name), "arena.%u.dirty_decay_ms", i);
		rc = duckdb_je_mallctl(name, NULL, NULL, &ms, sizeof(ms));
		if (rc != 0 && rc != EFAULT) return rc;
		snprintf(name, sizeof(name), "arena.%u.muzzy_decay_ms", i);
		rc = duckdb_je_mallctl(name, NULL, NULL, &ms, sizeof(ms));
		if (rc != 0 && rc != EFAULT) return rc;
	}
	return 0;
}

// st_je_purge gives every arena's unused pages back to the system now.
static int st_je_purge(void) {
	char name[64];
	snprintf(name, sizeof(name), "arena.%u.purge", 4096u); // MALLCTL_ARENAS_ALL
	return duckdb_je_mallctl(name, NULL, NULL, NULL, 0);
}

// st_je_dirty is the pages freed and kept (dirty) in every arena, or -1
// when this jemalloc keeps no statistics.
static ssize_t st_je_dirty(void) {
	uint64_t epoch = 1;
	size_t len = sizeof(epoch);
	if (duckdb_je_mallctl("epoch", &epoch, &len, &epoch, len) != 0) return -1;
	size_t dirty = 0;
	len = sizeof(dirty);
	char name[64];
	snprintf(name, sizeof(name), "stats.arenas.%u.pdirty", 4096u);
	if (duckdb_je_mallctl(name, &dirty, &len, NULL, 0) != 0) return -1;
	return (ssize_t)dirty;
}

static ssize_t st_je_decay(void) {
	ssize_t ms = -1;
	size_t len = sizeof(ms);
	if (duckdb_je_mallctl("arenas.dirty_decay_ms", &ms, &len, NULL, 0) != 0) return -1;
	return ms;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"
)

// decay is the allocator's own delay, read before keepFreedMemory first
// changes it, and whether it is changed now.
var decay struct {
	sync.Mutex
	own  time.Duration
	read bool
	kept bool
}

// keepFreedMemory tells the allocator DuckDB links (jemalloc, in its Linux
// builds) to keep memory DuckDB frees for d before giving it back to the
// system, where its own setting gives it back within a second. The page
// server reads every block afresh for each request (Readers detaches the
// file between requests, and its buffers with it); given back between
// requests, each new buffer costs a page fault per 4 KiB, which on a
// virtual machine cost the record search 40 ms of its 70 (BENCHMARKS.md,
// "The record search after another page: the allocator"). The memory kept
// is what the last requests used, not more. It is process-wide.
func keepFreedMemory(d time.Duration) error {
	if C.st_je_linked() == 0 {
		return errors.New("this DuckDB library has no jemalloc")
	}
	decay.Lock()
	defer decay.Unlock()
	if !decay.read {
		ms := C.st_je_decay()
		if ms < 0 {
			return errors.New("jemalloc decay: unreadable")
		}
		decay.own, decay.read = time.Duration(ms)*time.Millisecond, true
	}
	if rc := C.st_je_set_decay(C.ssize_t(d.Milliseconds())); rc != 0 {
		return fmt.Errorf("jemalloc decay: %w", syscall.Errno(rc))
	}
	decay.kept = true
	return nil
}

// ownDecay sets the allocator's own delay again if keepFreedMemory changed
// it. A load calls it as it opens: the daemon's pages keep their memory in
// the same process, and the load runs as a load alone would. (What the
// pages kept goes back as the load's instance closes: DuckDB empties every
// arena then, whatever the delay.)
func ownDecay() error {
	if C.st_je_linked() == 0 {
		return nil
	}
	decay.Lock()
	defer decay.Unlock()
	if !decay.kept {
		return nil
	}
	if rc := C.st_je_set_decay(C.ssize_t(decay.own.Milliseconds())); rc != 0 {
		return fmt.Errorf("jemalloc decay: %w", syscall.Errno(rc))
	}
	decay.kept = false
	return nil
}

// giveBackFreedMemory gives the memory freed and kept so far back to the
// system now. The allocator's delay is counted in its own calls: in a
// process that stops asking DuckDB for anything (a daemon between cycles,
// a page server nobody reads) what it kept would stay until the next.
func giveBackFreedMemory() error {
	if C.st_je_linked() == 0 {
		return nil
	}
	if rc := C.st_je_purge(); rc != 0 {
		return fmt.Errorf("jemalloc purge: %w", syscall.Errno(rc))
	}
	return nil
}

// freedMemoryKept is the allocator's delay before freed memory goes back to
// the system, for tests; false where there is no jemalloc.
func freedMemoryKept() (time.Duration, bool) {
	if C.st_je_linked() == 0 {
		return 0, false
	}
	ms := C.st_je_decay()
	if ms < 0 {
		return 0, false
	}
	return time.Duration(ms) * time.Millisecond, true
}

// freedPagesKept is how many pages the allocator keeps freed, for tests;
// false where it keeps no statistics.
func freedPagesKept() (int, bool) {
	if C.st_je_linked() == 0 {
		return 0, false
	}
	n := C.st_je_dirty()
	return int(n), n >= 0
}
