package loader

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

// loadFacts rebuilds each fact table that has a new or changed file, or a
// loaded file deleted from the bucket (gone).
func (l *Loader) loadFacts(ctx context.Context, st *Stager, facts map[string][]Work, held map[string][]string,
	gone map[string][]warehouse.LedgerVersion, rep *Report, b *blame) error {
	tables := make([]string, 0, len(facts))
	for t := range facts {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		if err := l.loadFactTable(ctx, st, t, facts[t], held[t], gone[t], rep, b); err != nil {
			return err
		}
	}
	return nil
}

// loadFactTable rebuilds one fact table from its current files. A file whose
// data is bad fails alone and the table is rebuilt from the others; when the
// engine cannot say which file is bad, the new files are tried apart (each
// half with the files loaded before and the new ones that rebuilt so far:
// narrowFacts) down to those that fail alone. When the rebuild fails with
// no file named, the new files fail, retried next time (an error no table
// knows only once the warehouse has loaded something else: see blame), and
// the table keeps its old rows, or, after a narrowing, those and the rows
// of the new files it rebuilt, which are loaded: a file loaded before is
// never missing, nor one the ledger says loaded. A file loaded before
// whose new version fails, or is not read this time, keeps the rows of the
// version loaded, as do held, the table's quarantined files. Any other
// error stops the load.
//
// gone are the table's loaded files deleted from the bucket: the table is
// rebuilt without them even with nothing new to load, and the rebuild
// marks them deleted in the ledger (FactsKept.Deleted). Until a rebuild
// commits, their rows and ledger rows stay, and the next load tries again.
func (l *Loader) loadFactTable(ctx context.Context, st *Stager, table string, ws []Work, held []string,
	gone []warehouse.LedgerVersion, rep *Report, b *blame) error {
	rb := &factRebuild{l: l, table: table, ws: ws, held: held, gone: gone}
	defer rb.report(rep)
	ws = l.refuseEmpty(ws, b.fail)
	staged := st.Stage(ctx, ws)
	defer st.Release(stagedFiles(staged))
	files, err := l.usable(ws, staged, b.fail)
	if err != nil {
		return err
	}
	// The column cap is counted again on each try: a file over it may fit
	// once a file counted before it fails and leaves.
	var kept, over []warehouse.File
	var rebuilt []warehouse.File // the new files a narrowing committed
	narrowed, skipped := false, false
	for {
		kept, over = capFactColumns(files, ws)
		if len(gone) == 0 && !slices.ContainsFunc(kept, func(f warehouse.File) bool { return isNew(ws, f.Key) }) && !b.holds(KindFact) {
			// Nothing new left to load (the new versions failed): a
			// rebuild would give the table the rows it has, less the
			// columns only a kept file has. It stays as it is; nothing
			// loaded, so no suspect is blamed for it (blame.ok). With
			// fact files held as suspects of an unknown error the
			// rebuild runs: whether the warehouse does it says whose
			// fault they are (found by a review: two bad files were
			// held, and the load failed, on every load). So does a
			// file deleted from the bucket (gone): its rows must go.
			err, skipped = nil, true
			break
		}
		err = rb.replace(ctx, kept)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err == nil || !narrowable(err) {
			break
		}
		named := namedIn(err, kept, fileKey)
		if len(named) == 0 && !narrowed {
			narrowed = true
			failed, done, stop := l.narrowFacts(ctx, table, kept, ws, rb, err, rep, b)
			if stop != nil {
				return stop
			}
			rebuilt = done
			if len(failed) > 0 {
				files = slices.DeleteFunc(files, func(f warehouse.File) bool { return slices.Contains(failed, f.Key) })
				continue
			}
			if len(done) > 0 {
				// Every new file rebuilt, in parts, each part with
				// those before it: the table holds them all.
				err = nil
				break
			}
		}
		if len(named) == 0 {
			break
		}
		rest := files[:0:0]
		for _, f := range files {
			if slices.Contains(named, f.Key) {
				b.fail(Work{Object: f.Object, Attempts: f.Attempts}, err)
			} else {
				rest = append(rest, f)
			}
		}
		files = rest
	}
	if err != nil && !narrowable(err) {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	if err != nil && len(gone) > 0 && !rb.cleared && !slices.ContainsFunc(kept, func(f warehouse.File) bool { return isNew(ws, f.Key) }) {
		// The files loaded before, rebuilt without the gone ones, failed:
		// no new file to fail for it, and the table still has their rows.
		return fmt.Errorf("rebuild %s without the %d files deleted from the bucket: %w", table, len(gone), err)
	}
	failOverCap(table, kept, over, b.fail)
	if err == nil {
		countLoaded(ws, kept, rebuilt, skipped, rep, b)
		return nil
	}
	return failUnrebuilt(ctx, table, kept, ws, rebuilt, rb, err, rep, b)
}

// countLoaded tells b the rebuild succeeded, unless it was skipped (nothing
// loaded: no suspect is to blame for it), and counts the new files of kept
// in rep; those a narrowing rebuilt (rebuilt) are in rep.Committed already.
func countLoaded(ws []Work, kept, rebuilt []warehouse.File, skipped bool, rep *Report, b *blame) {
	if !skipped {
		b.ok(KindFact)
	}
	for _, f := range kept {
		if isNew(ws, f.Key) {
			rep.Files++
			if !slices.ContainsFunc(rebuilt, func(r warehouse.File) bool { return r.Key == f.Key }) {
				rep.Committed = append(rep.Committed, f.Key) // a narrowing's parts are already
			}
		}
	}
}

// failUnrebuilt fails, with err, the new files of kept whose rebuild failed
// naming none, all but those a narrowing rebuilt (rebuilt), which the table
// holds and rep counts; then it takes the gone files' rows out (clearGone).
func failUnrebuilt(ctx context.Context, table string, kept []warehouse.File, ws []Work, rebuilt []warehouse.File,
	rb *factRebuild, err error, rep *Report, b *blame) error {
	// The rebuild after a narrowing failed: the table holds what the
	// narrowing committed, the files loaded before and those it rebuilt.
	for _, w := range ws {
		if w.Reason == "" || !slices.ContainsFunc(kept, func(f warehouse.File) bool { return f.Key == w.Key }) {
			continue
		}
		if slices.ContainsFunc(rebuilt, func(f warehouse.File) bool { return f.Key == w.Key }) {
			rep.Files++
			continue
		}
		b.fail(w, fmt.Errorf("rebuild %s: %w", table, err))
	}
	return rb.clearGone(ctx, kept, ws, b)
}

// narrowFacts looks for the new files of a table whose rebuild failed with
// err, an error naming none: the table rebuilt from the files loaded
// before, the new ones that rebuilt so far and each half of the rest,
// halving down to the files that fail alone, which it fails and returns
// with those that rebuilt. Each rebuild commits, the ledger rows of its
// files too, and holds every file a rebuild before it did: a file the
// ledger says loaded is in the table, whenever the narrowing stops. Two
// files that rebuild apart but not together: the first rebuilds, the
// second fails, its error naming the first (a narrowing that rebuilt
// each part alone left the ledger saying both loaded and the table with
// the second's rows only). Fewer than two new files: nothing to tell
// apart.
func (l *Loader) narrowFacts(ctx context.Context, table string, files []warehouse.File, ws []Work,
	rb *factRebuild, err error, rep *Report, b *blame) (failed []string, done []warehouse.File, stop error) {
	var old, fresh []warehouse.File
	for _, f := range files {
		if isNew(ws, f.Key) {
			fresh = append(fresh, f)
		} else {
			old = append(old, f)
		}
	}
	if len(fresh) < 2 {
		return nil, nil, nil
	}
	stop = narrow(ctx, fresh, err, fileKey, func(part []warehouse.File) error {
		files := append(append(slices.Clip(old), done...), part...)
		if err := rb.replace(ctx, files); err != nil {
			return err
		}
		done = append(done, part...)
		for _, f := range part {
			rep.Committed = append(rep.Committed, f.Key)
		}
		b.ok(KindFact) // the warehouse rebuilds the table: a suspect is the file's fault
		return nil
	}, func(f warehouse.File, err error) {
		failed = append(failed, f.Key)
		if len(done) > 0 {
			err = fmt.Errorf("the table rebuilt with the other new files (%s), not with this one too: %w", keyList(done), err)
		}
		b.fail(Work{Object: f.Object, Attempts: f.Attempts}, fmt.Errorf("rebuild %s: %w", table, err))
	}, b.refused)
	return failed, done, stop
}

// keyList names up to three files' keys, and how many more.
func keyList(fs []warehouse.File) string {
	var names []string
	for i, f := range fs {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(fs)-3))
			break
		}
		names = append(names, f.Key)
	}
	return strings.Join(names, ", ")
}

// isNew says whether key is one of the table's new or changed files, not an
// unchanged one read again for the rebuild.
func isNew(ws []Work, key string) bool {
	for _, w := range ws {
		if w.Key == key {
			return w.Reason != ""
		}
	}
	return false
}
