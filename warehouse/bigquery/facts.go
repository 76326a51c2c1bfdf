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
// stay (warehouse.FactsKept); keep.Deleted's ledger rows are written in
// the same transaction as the files'.
func (w *Warehouse) ReplaceFacts(ctx context.Context, table string, files []warehouse.File, keep warehouse.FactsKept) error {
	if _, ok := dialects.FactColumns[table]; !ok {
		return fmt.Errorf("unknown fact table %q", table)
	}
	// keep.Deleted's ledger rows are staged apart (a batch's arrays are
	// one row per file) and written with the files' (one WriteLedger a
	// script: its temp table).
	var deleted string
	if len(keep.Deleted) > 0 {
		gone, drop, err := w.stage(ctx, arrays{ledger: w.ledgerRows(keep.Deleted)})
		if err != nil {
			return wrap("replace "+table, err)
		}
		defer drop()
		deleted = gone.Ledger
	}
	if len(files) == 0 {
		// Every file deleted from the bucket: a batch is made of files, so
		// there is none to run. The table keeps keep.Keys' rows alone.
		stmts := w.d.ReplaceFacts(w.c.Dataset, table, dialects.BQBatch{Ledger: deleted}, nil, keep.Keys, keep.Newer)
		if deleted == "" {
			stmts = stmts[:1] // the DELETE; no ledger rows to write
		}
		err := w.query(ctx, w.d.Transaction(stmts...))
		return wrap("replace "+table, err)
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
			if deleted != "" {
				in.Ledger = w.d.ConcatArrays(in.Ledger, deleted)
			}
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
