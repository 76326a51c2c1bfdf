package bigquery

import (
	"context"
	"fmt"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// ReplaceFacts rebuilds a fact table from all of its current files, emptied
// and refilled inside one transaction with the ledger rows: readers see the
// old rows until the commit, then the new ones. A table is rebuilt from all
// of its files or not at all, so a file BigQuery cannot read stops the call
// before the script, with a data error naming every such file found: the
// loader fails them and calls again with the rest. The rows of keep.Keys
// stay (warehouse.FactsKept).
func (w *Warehouse) ReplaceFacts(ctx context.Context, table string, files []warehouse.File, keep warehouse.FactsKept) error {
	if _, ok := dialects.FactColumns[table]; !ok {
		return fmt.Errorf("unknown fact table %q", table)
	}
	foots, failed, err := w.schemas(ctx, files, false)
	if err != nil {
		return wrap("replace "+table, err)
	}
	if len(failed) > 0 {
		return wrap("replace "+table, failedError(files, failed))
	}
	b := &batch{files: files, foots: foots, now: w.now().UTC(), whole: true,
		build: func(in dialects.BQBatch, srcs []dialects.BQSource, _ []dialects.AddedColumn) []string {
			return w.d.ReplaceFacts(w.c.Dataset, table, in, srcs, keep.Keys, keep.Newer)
		}}
	all := make([]int, len(files))
	for i := range all {
		all[i] = i
	}
	_, bad, err := w.attempt(ctx, b, all)
	if err == nil && len(bad) > 0 {
		err = failedError(files, bad)
	} else if blamed := named(err, files, all); len(blamed) > 0 {
		bad = map[int]error{}
		for _, i := range blamed {
			bad[i] = blame(err, files[i].Key)
		}
		err = failedError(files, bad)
	}
	return wrap("replace "+table, err)
}
