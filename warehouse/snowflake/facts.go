package snowflake

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// ReplaceFacts rebuilds a fact table from all of its current files: COPY into
// a new table, keep the newest row per (org, id), SWAP it with the live table
// (atomic: readers see the old rows or the new ones), drop the old rows, then
// write the ledger rows (keep.Deleted's too). SWAP is DDL and commits on its own, so the ledger is
// a second transaction; a crash between the two rebuilds the table again on
// the next load, with the same result. The rows of keep.Keys stay
// (warehouse.FactsKept).
func (w *Warehouse) ReplaceFacts(ctx context.Context, table string, files []warehouse.File, keep warehouse.FactsKept) error {
	if _, ok := dialects.FactColumns[table]; !ok {
		return fmt.Errorf("unknown fact table %q", table)
	}
	if err := w.ensureReady(ctx); err != nil {
		return err
	}
	order := append([]warehouse.File(nil), files...)
	sort.SliceStable(order, func(i, j int) bool {
		if !order[i].ModTime.Equal(order[j].ModTime) {
			return order[i].ModTime.After(order[j].ModTime)
		}
		return order[i].Key > order[j].Key
	})
	var newest, keys []string
	for _, f := range order {
		newest = append(newest, f.Key)
		if f.Size > 0 {
			keys = append(keys, f.Key)
		}
	}
	b := w.d.FactRebuild(w.schema, table, newest, keep.Keys, keep.Newer)
	if err := w.exec(ctx, w.db, b.Create); err != nil {
		return err
	}
	// Every file is read again, so every COPY is forced: these files are in
	// COPY's load history from earlier rebuilds.
	c, err := w.copyAll(ctx, w.db, b.Building, dialects.FactMetadata, nil, keys, false, false)
	if err != nil {
		return err
	}
	loaded := c.rows
	for _, s := range b.Finish {
		if err := w.exec(ctx, w.db, s); err != nil {
			return err
		}
	}
	now := w.now().UTC()
	es := make([]warehouse.LedgerEntry, len(files))
	for i, f := range files {
		es[i] = warehouse.LoadedEntry(f.Object, loaded[f.Key], f.Attempts, f.Note, now)
	}
	es = append(es, keep.Deleted...)
	return w.inTx(ctx, func(tx *sql.Tx) error { return w.writeLedger(ctx, tx, es) })
}

// ensureReady creates the tables if no Ledger call has found them yet.
func (w *Warehouse) ensureReady(ctx context.Context) error {
	if w.ready {
		return nil
	}
	_, err := w.Ledger(ctx)
	return err
}
