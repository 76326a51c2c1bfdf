package bigquery

import (
	"context"
	"fmt"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// ReplaceFacts rebuilds a fact table from all of its current files, emptied
// and refilled inside one transaction with the ledger rows: readers see the
// old rows until the commit, then the new ones.
func (w *Warehouse) ReplaceFacts(ctx context.Context, table string, files []warehouse.File) error {
	if _, ok := dialects.FactColumns[table]; !ok {
		return fmt.Errorf("unknown fact table %q", table)
	}
	now := w.now().UTC()
	objs, sizes := objects(files)
	foots, err := w.schemas(ctx, files)
	if err != nil {
		return err
	}
	es := make([]warehouse.LedgerEntry, len(files))
	for i, f := range files {
		es[i] = warehouse.LoadedEntry(f.Object, foots[i].Rows, f.Attempts, f.Note, now) // 0 on path a: the script counts them
	}
	in, drop, err := w.stage(ctx, arrays{files: w.filesRows(objs, w.gsPrefix()), ledger: w.ledgerRows(es)})
	if err != nil {
		return wrap("replace "+table, err)
	}
	defer drop()
	in.LoadedAt = w.d.Value(now)
	decl := w.d.Declare(&in)
	build := func(srcs []dialects.BQSource) []string { return w.d.ReplaceFacts(w.c.Dataset, table, in, srcs) }
	_, err = w.move(ctx, decl, in, files, groupBySchema(foots, sizes), build)
	return wrap("replace "+table, err)
}
