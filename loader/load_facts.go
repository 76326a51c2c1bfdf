package loader

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/synctrack/synctrack/warehouse"
)

// loadFacts rebuilds each fact table that has a new or changed file.
func (l *Loader) loadFacts(ctx context.Context, st *Stager, facts map[string][]Work, rep *Report, b *blame) error {
	tables := make([]string, 0, len(facts))
	for t := range facts {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		if err := l.loadFactTable(ctx, st, t, facts[t], rep, b); err != nil {
			return err
		}
	}
	return nil
}

// loadFactTable rebuilds one fact table from its current files. A file whose
// data is bad fails alone and the table is rebuilt from the others; when the
// engine cannot say which file is bad, the table keeps its old rows and its
// new files fail, retried next time (an error no table knows only once the
// warehouse has loaded something else: see blame). Any other error stops
// the load.
func (l *Loader) loadFactTable(ctx context.Context, st *Stager, table string, ws []Work, rep *Report, b *blame) error {
	ws = l.refuseEmpty(ws, b.fail)
	staged := st.Stage(ctx, ws)
	defer st.Release(stagedFiles(staged))
	files, err := l.usable(ws, staged, b.fail)
	if err != nil {
		return err
	}
	for {
		err = l.wh.ReplaceFacts(ctx, table, files)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err == nil || !narrowable(err) {
			break
		}
		named := namedIn(err, files, fileKey)
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
	switch {
	case err == nil:
		b.ok(KindFact)
		for _, f := range files {
			if isNew(ws, f.Key) {
				rep.Files++
			}
		}
		return nil
	case !narrowable(err):
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	for _, w := range ws {
		if w.Reason != "" && slices.ContainsFunc(files, func(f warehouse.File) bool { return f.Key == w.Key }) {
			b.fail(w, fmt.Errorf("rebuild %s: %w", table, err))
		}
	}
	return nil
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
