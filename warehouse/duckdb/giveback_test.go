package duckdb

import (
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// A purge can find an arena being purged by DuckDB's own thread and leave
// it as it is; with no request after, its pages stayed for good (a CI run:
// 46006 of 47429 pages still kept 30 s after the page). The Readers try
// again while pages are kept, and stop after a few tries.
func TestGiveBackTriesAgainWhileKept(t *testing.T) {
	for _, c := range []struct {
		name      string
		takesOn   int64 // the purge that empties the arenas; 0: none does
		loading   bool  // a load writes through the instance meanwhile
		wantCalls int64
	}{
		{"second purge takes", 2, false, 2},
		{"no purge takes", 0, false, 1 + giveBackTries},
		{"a load's memory is its own", 0, true, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var calls atomic.Int64
			purgeFreed = func() error { calls.Add(1); return nil }
			pagesKept = func() (int, bool) {
				if c.takesOn > 0 && calls.Load() >= c.takesOn {
					return 10, true
				}
				return 46006, true
			}
			t.Cleanup(func() { purgeFreed, pagesKept = giveBackFreedMemory, freedPagesKept })
			r := NewReaders(Config{Path: filepath.Join(t.TempDir(), "w.duckdb"), Schema: "synctrack"}, nil)
			defer r.Close()
			r.writing.Store(c.loading)
			r.mu.Lock()
			r.giveBackNow()
			r.mu.Unlock()
			deadline := time.Now().Add(30 * time.Second)
			for calls.Load() < c.wantCalls && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			// Then no more: the tries are over.
			time.Sleep(3 * giveBackAgain)
			if n := calls.Load(); n != c.wantCalls {
				t.Errorf("%d purges, want %d", n, c.wantCalls)
			}
		})
	}
}
