package loader

import (
	"context"
	"fmt"
	"sort"

	"github.com/synctrack/synctrack/warehouse"
)

// loadFacts rebuilds each fact table that has a new or changed file.
func (l *Loader) loadFacts(ctx context.Context, st *Stager, facts map[string][]Work, rep *Report, fail func(Work, error)) error {
	tables := make([]string, 0, len(facts))
	for t := range facts {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		ws := facts[t]
		staged := st.Stage(ctx, ws)
		var files []warehouse.File
		for i, s := range staged {
			if s.Err != nil {
				fail(ws[i], s.Err)
				continue
			}
			files = append(files, s.File)
		}
		err := l.wh.ReplaceFacts(ctx, t, files)
		st.Release(stagedFiles(staged))
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		// On failure the table keeps its old rows; the new files are failures,
		// retried next time. Either way the other tables still load.
		for i, w := range ws {
			switch {
			case w.Reason == "" || staged[i].Err != nil:
			case err != nil:
				fail(w, fmt.Errorf("rebuild %s: %w", t, err))
			default:
				rep.Files++
			}
		}
	}
	return nil
}
