package loader

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/synctrack/synctrack/warehouse"
)

// blame collects what a load fails. A data error is the object's fault and
// is blamed at once. An error no table knows could be the object's or the
// warehouse's: it is held as a suspect and blamed only once an object of
// the same kind loaded in the same load (the warehouse does that step, so
// the object is at fault), or when the object failed before (it was judged
// then). When neither, the load ends with it and blames nobody. So a
// warehouse that refuses a step with a message we do not know never fails
// and quarantines the bucket, whatever the batch size, and a bad file is
// still blamed as soon as a good one loads beside it.
type blame struct {
	l        *Loader
	rep      *Report
	failed   []warehouse.LedgerEntry
	suspects []suspect
	loaded   map[Kind]bool // a load call for objects of this kind succeeded
	halt     error         // why an object could not be judged: stops the load (localState)
}

type suspect struct {
	w   Work
	err error
}

// maxSameSuspects is how many objects may fail with one unknown error, word
// for word, before a load that has loaded nothing calls it the warehouse's
// refusal and stops narrowing (a few calls per level of halving, not one
// per object).
const maxSameSuspects = 3

// fail records that w failed with err.
func (b *blame) fail(w Work, err error) {
	l, rep := b.l, b.rep
	// A local file deleted after the stager read its footer and before the
	// engine read it (DuckDB: "No files found that match the pattern") is
	// gone, not bad: left for the next load, which no longer lists it, as
	// one deleted before its footer was read. It was failed, named, exit 1.
	gone, unreachable := l.localState(w.Key)
	if gone {
		l.log.Info("object gone since the listing; left for the next load", "key", w.Key, "err", err)
		return
	}
	// Nor is one in a folder the user may no longer search (its mode
	// changed since the listing: DuckDB says "No files found"), on a mount
	// lost under it, or in a bucket folder gone as a whole: the load stops
	// with that error, blaming none. Every file of such a folder failed,
	// exit 1.
	if unreachable != nil {
		if b.halt == nil {
			b.halt = unreachable
		}
		return
	}
	// A time further ahead than the settle period is no write in progress
	// (a clock a little ahead is): such a file would be left pending, and
	// never reported, for as long as its time stays ahead.
	var never neverReads
	if age := l.o.Now().Sub(w.ModTime); l.root != "" && l.o.Settle > 0 && age < l.o.Settle && age > -l.o.Settle && !errors.As(err, &never) {
		l.log.Info("object still being written, left for the next load", "key", w.Key, "err", err)
		rep.Pending++
		return
	}
	if warehouse.ClassOf(err) == warehouse.Unclassified && !b.loaded[w.Kind] && w.Attempts <= 1 {
		b.suspects = append(b.suspects, suspect{w, err})
		return
	}
	status := warehouse.StatusFailed
	if q := l.o.QuarantineAfter; q > 0 && w.Attempts >= q {
		status = warehouse.StatusQuarantined
		rep.Quarantined++
	}
	l.log.Warn("object failed", "key", w.Key, "attempt", w.Attempts, "status", status, "err", err)
	rep.Failed = append(rep.Failed, Failure{Key: w.Key, Err: err})
	b.failed = append(b.failed, warehouse.LedgerEntry{Key: w.Key, ETag: w.ETag, Size: w.Size, Kind: w.Kind,
		Status: status, Error: err.Error(), Attempts: w.Attempts, FirstSeenAt: l.o.Now().UTC()})
}

// holds says whether objects of kind k are held as suspects, none of that
// kind having loaded yet.
func (b *blame) holds(k Kind) bool {
	for _, s := range b.suspects {
		if s.w.Kind == k {
			return true
		}
	}
	return false
}

// ok notes that a load call for objects of kind k succeeded: the suspects
// of that kind so far are the objects' fault after all.
func (b *blame) ok(k Kind) {
	if b.loaded[k] {
		return
	}
	if b.loaded == nil {
		b.loaded = map[Kind]bool{}
	}
	b.loaded[k] = true
	held := b.suspects
	b.suspects = nil
	for _, s := range held {
		b.fail(s.w, s.err) // held again if of another kind
	}
}

// refused says whether enough objects failed with one unknown error, while
// none of their kind loaded, to call it the warehouse refusing the step, or
// an object could not be judged (halt).
func (b *blame) refused() error {
	if b.halt != nil {
		return b.halt
	}
	if len(b.suspects) < maxSameSuspects {
		return nil
	}
	last := b.suspects[len(b.suspects)-1].err.Error()
	same := 0
	for _, s := range b.suspects {
		if s.err.Error() == last {
			same++
		}
	}
	if same < maxSameSuspects {
		return nil
	}
	return b.unblamed()
}

// unblamed is the error a load ends with when suspects remain: the
// warehouse's answer, blaming no object; or halt.
func (b *blame) unblamed() error {
	if b.halt != nil {
		return b.halt
	}
	if len(b.suspects) == 0 {
		return nil
	}
	first := b.suspects[0]
	reason, hint := warehouse.Explain(first.err)
	if hint == "" {
		hint = "the warehouse refused objects with an error synctrack does not know and loaded none of their kind: " +
			"nothing was marked failed; check the warehouse and load again (the objects are tried again then)"
	}
	return &warehouse.Error{Class: warehouse.Unclassified, Reason: or(reason, "refused"), Hint: hint,
		Err: fmt.Errorf("%d objects refused and none of their kind loaded, first %s: %w", len(b.suspects), first.w.Key, first.err)}
}

// leaveGone leaves an object gone since the listing for the next load,
// which no longer lists it; unless the bucket's folder went as a whole
// (unmounted, moved): that is CheckRoot's bucket_gone, which stops the load,
// not its files gone.
func (l *Loader) leaveGone(key string) error {
	if err := CheckRoot(l.root); err != nil {
		return err
	}
	l.log.Info("object gone since the listing; left for the next load", "key", key)
	return nil
}

// localState says whether key, of a file:// bucket, is no longer in its
// folder (a dangling link is there: os.Lstat), and, when a folder on its
// path may not be searched or a disk or mount under it failed
// (machineFault), that error (BucketError), or when
// the bucket's folder itself is gone, CheckRoot's.
func (l *Loader) localState(key string) (gone bool, unreachable error) {
	if l.root == "" {
		return false, nil
	}
	_, err := os.Lstat(filepath.Join(l.root, filepath.FromSlash(key)))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Not when the whole folder went (unmounted, moved): that is
		// the bucket gone, as a daemon's cycle says, not its files.
		if gerr := CheckRoot(l.root); gerr != nil {
			return false, gerr
		}
		return true, nil
	case machineFault(err):
		// DuckDB says "No files found" whenever its stat fails: no
		// permission, or a mount lost under the file (ENOTCONN).
		return false, BucketError(fmt.Errorf("read %w", unrooted(err, l.root)))
	}
	return false, nil
}
