package duckdb

import "time"

// readersKeepFreed is how long memory freed by a request is kept for the
// next: a person clicking through pages is seconds apart.
const readersKeepFreed = 30 * time.Second

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
