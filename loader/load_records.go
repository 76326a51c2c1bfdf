package loader

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"syscall"

	"github.com/synctrack/synctrack/warehouse"
)

// batches splits work by file count and bytes, keeping order.
func (l *Loader) batches(ws []Work) [][]Work {
	var out [][]Work
	var cur []Work
	var bytes int64
	for _, w := range ws {
		if len(cur) > 0 && (len(cur) >= l.o.BatchFiles || bytes+w.Size > l.o.BatchBytes) {
			out = append(out, cur)
			cur, bytes = nil, 0
		}
		cur = append(cur, w)
		bytes += w.Size
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func (l *Loader) loadRecords(ctx context.Context, st *Stager, ws []Work, rep *Report, b *blame) error {
	ws = l.refuseEmpty(ws, b.fail)
	batches := l.batches(ws)
	// Stage the next batch while this one loads: the bucket and the engine
	// work at once, and at most two batches are on local disk.
	next := make(chan []Staged, 1)
	stage := func(i int) {
		if i < len(batches) {
			go func() { next <- st.Stage(ctx, batches[i]) }()
		}
	}
	stage(0)
	done := 0
	if l.o.Progress != nil && len(batches) > 0 {
		// Said before the first batch: staging it from an object store
		// can take a while, and a terminal would show nothing meanwhile.
		l.o.Progress(Progress{FilesTotal: len(ws), Rows: rep.Rows})
	}
	for i, batch := range batches {
		staged := <-next
		if err := ctx.Err(); err != nil {
			st.Release(stagedFiles(staged))
			return err
		}
		stage(i + 1)
		files, err := l.usable(batch, staged, b.fail)
		if err == nil {
			t := l.o.Now()
			err = l.loadIsolating(ctx, st, files, rep, b)
			l.log.Debug("records batch", "files", len(batch), "load", l.o.Now().Sub(t))
		}
		st.Release(stagedFiles(staged))
		if err != nil {
			if i+1 < len(batches) {
				st.Release(stagedFiles(<-next))
			}
			return err
		}
		done += len(batch)
		if l.o.Progress != nil {
			l.o.Progress(Progress{FilesDone: done, FilesTotal: len(ws), Rows: rep.Rows})
		}
	}
	return nil
}

// refuseEmpty fails every zero-byte object: no engine reads one as parquet,
// and one that loaded it as no rows would hide that the file is not there.
// The size is the listing's; whether the file is still there is fail's to
// ask (blame.fail: localState), as for any object failed: one deleted since
// is left for the next load, and its folder gone, closed or on a failed
// mount stops the load blaming none (TestEmptyFileGoneMidLoad,
// TestEmptyFileOfAFolderClosedMidLoad).
func (l *Loader) refuseEmpty(ws []Work, fail func(Work, error)) []Work {
	out := ws[:0:0]
	for _, w := range ws {
		if w.Size == 0 {
			// A named pipe lists as 0 bytes: said as what it is.
			err := warehouse.DataError(fmt.Errorf("not a parquet file: the object is empty (0 bytes)"), w.Key)
			if l.root != "" {
				if e := inRoot(l.root, w.Key); warehouse.ClassOf(e) == warehouse.Data {
					err = e
				}
			}
			fail(w, err)
			continue
		}
		out = append(out, w)
	}
	return out
}

// usable returns the staged files that can be loaded. A file whose data is
// bad fails alone; any other staging error (the bucket, the disk) stops the
// load, blaming nothing.
func (l *Loader) usable(batch []Work, staged []Staged, fail func(Work, error)) ([]warehouse.File, error) {
	var files []warehouse.File
	for j, s := range staged {
		switch {
		case s.Err == nil:
			files = append(files, s.File)
		case warehouse.ClassOf(s.Err) == warehouse.Data:
			fail(batch[j], s.Err)
		case isGone(s.Err):
			if err := l.leaveGone(batch[j].Key); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("stage %s: %w", batch[j].Key, s.Err)
		}
	}
	return files, nil
}

// loadIsolating loads files in one transaction. When that fails on the
// files' data, it narrows the failure down to the files at fault (isolate),
// so one bad file never holds back the rest; any other failure stops the
// load. A file refused only for strings that are not UTF-8 is repaired
// (Stager.Repair) and loaded as repaired.
func (l *Loader) loadIsolating(ctx context.Context, st *Stager, files []warehouse.File, rep *Report, b *blame) error {
	repaired := map[string]warehouse.File{}
	var again []warehouse.File // refused alone for bad text, repaired: loaded after
	defer func() {
		for _, f := range repaired {
			st.Release([]warehouse.File{f})
		}
	}()
	op := func(batch []warehouse.File) error {
		fs := make([]warehouse.File, len(batch))
		for i, f := range batch {
			if r, ok := repaired[f.Key]; ok {
				f = r
			}
			fs[i] = f
		}
		res, err := l.wh.LoadRecords(ctx, fs)
		// An engine names the bad files it met before it stopped (DuckDB:
		// the first): repaired, the batch is tried again, until no file it
		// names is new to repair; at most once per file.
		for range fs {
			keys := badText(err)
			if len(keys) == 0 {
				break
			}
			any, rerr := l.repair(ctx, st, fs, keys, repaired)
			if rerr != nil {
				return rerr
			}
			if !any {
				break
			}
			res, err = l.wh.LoadRecords(ctx, fs)
		}
		if err != nil {
			return err
		}
		rep.Files += len(fs) - len(res.Failed)
		rep.Rows += res.Rows
		for _, f := range fs {
			if !slices.ContainsFunc(res.Failed, func(fe warehouse.FileError) bool { return fe.Key == f.Key }) {
				rep.Committed = append(rep.Committed, f.Key)
			}
		}
		if len(fs) > len(res.Failed) {
			b.ok(KindRecords)
		}
		for _, fe := range res.Failed {
			for _, f := range fs {
				if f.Key != fe.Key {
					continue
				}
				fixed, ok, rerr := l.repairLater(ctx, st, f, fe.Err, repaired)
				if rerr != nil {
					return rerr
				}
				if ok {
					again = append(again, fixed)
					continue
				}
				b.fail(Work{Object: f.Object, Attempts: f.Attempts, Seen: f.Seen}, fe.Err)
			}
		}
		return nil
	}
	failOne := func(f warehouse.File, err error) {
		b.fail(Work{Object: f.Object, Attempts: f.Attempts, Seen: f.Seen}, err)
	}
	if err := isolate(ctx, files, fileKey, op, failOne, b.refused); err != nil || len(again) == 0 {
		return err
	}
	// The files an engine refused alone for strings that are not UTF-8 (the
	// rest of their batch committed without them), repaired: loaded in a
	// call of their own, so nothing committed is loaded twice. A file
	// refused again fails, its first error kept.
	retry := again
	again = nil
	return isolate(ctx, retry, fileKey, op, failOne, b.refused)
}

// repairLater repairs a file an engine refused alone, in a call that
// loaded others, for strings that are not UTF-8 (repairOne).
func (l *Loader) repairLater(ctx context.Context, st *Stager, f warehouse.File, err error, done map[string]warehouse.File) (warehouse.File, bool, error) {
	if !slices.Contains(badText(err), f.Key) {
		return f, false, nil
	}
	return l.repairOne(ctx, st, f, done)
}

// repair rewrites the files of fs named in keys with their strings made
// UTF-8, in place in fs, and says whether it repaired any.
func (l *Loader) repair(ctx context.Context, st *Stager, fs []warehouse.File, keys []string, done map[string]warehouse.File) (bool, error) {
	any := false
	for i, f := range fs {
		if !slices.Contains(keys, f.Key) {
			continue
		}
		fixed, ok, err := l.repairOne(ctx, st, f, done)
		if err != nil {
			return false, err
		}
		if ok {
			fs[i], any = fixed, true
		}
	}
	return any, nil
}

// repairOne returns f repaired, when the engine can load a repaired copy
// (a local one, or one it repairs itself once the loader has counted what
// it will replace: warehouse.TextReplacer) and f was not repaired already.
// A repair that fails for the machine (a full disk, a cancelled load), not
// for the file, stops the load (the error), blaming no file; one that fails
// on the file keeps the file's own error.
func (l *Loader) repairOne(ctx context.Context, st *Stager, f warehouse.File, done map[string]warehouse.File) (warehouse.File, bool, error) {
	if _, already := done[f.Key]; already || st == nil {
		return f, false, nil
	}
	repair := st.Repair
	if _, ok := l.wh.(warehouse.TextReplacer); ok {
		repair = st.Count
	}
	fixed, n, err := repair(ctx, f)
	if err != nil {
		if stop := machineError(ctx, err); stop != nil {
			return f, false, fmt.Errorf("repair %s: %w", f.Key, stop)
		}
		l.log.Warn("could not repair strings that are not UTF-8", "key", f.Key, "err", err)
		return f, false, nil
	}
	l.log.Info("repaired strings that are not UTF-8", "key", f.Key, "values", n)
	done[f.Key] = fixed
	return fixed, true, nil
}

// machineError is err classified when it is the machine's, not a file's: the
// load cancelled, or an error the operating system gave (no space, no file
// handles, no permission to write the staging directory, a broken
// connection), matched by its errno and never by its words, which a
// decoder's message about the file's values could hold, and the file's
// path (the object's key, anyone's to choose) does. Nil otherwise.
func machineError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return nil
	}
	err = warehouse.Classify(err, osRules)
	if warehouse.ClassOf(err) == warehouse.Unclassified {
		// EIO and the like: still the machine's, and an unclassified error
		// would be narrowed down to a file and blamed on it.
		err = warehouse.Wrap(err, warehouse.Resource, "io", "the machine refused to read or write a repaired copy in the staging directory: nothing was blamed on any object")
	}
	return err
}

// badText lists the files a data error blames on strings that are not UTF-8.
func badText(err error) []string {
	var e *warehouse.Error
	if !errors.As(err, &e) || e.Class != warehouse.Data || e.Reason != warehouse.ReasonBadText {
		return nil
	}
	return e.Keys
}

func fileKey(f warehouse.File) string { return f.Key }
