package snowflake

import (
	"context"
	"database/sql"
	"sort"

	"github.com/synctrack/synctrack/warehouse"
)

// registerRecords refreshes the external table for each run folder of files
// (ALTER EXTERNAL TABLE ... REFRESH is DDL, so it runs before, not inside, the
// ledger's transaction; a crash between them refreshes again next load, which
// changes nothing), then writes the files' ledger rows.
func (w *Warehouse) registerRecords(ctx context.Context, files []warehouse.File) (warehouse.Loaded, error) {
	folders := map[string]bool{}
	for _, f := range files {
		folders[f.OrgID+"/"+f.SyncID+"/"+f.RunID+"/"] = true
	}
	list := make([]string, 0, len(folders))
	for f := range folders {
		list = append(list, f)
	}
	sort.Strings(list)
	for _, f := range list {
		stmt := w.d.RefreshExternal(w.schema, f)
		rows, err := w.db.QueryContext(ctx, stmt)
		if err != nil {
			return warehouse.Loaded{}, w.classify(err, stmt)
		}
		if _, err := readTable(rows); err != nil {
			return warehouse.Loaded{}, w.classify(err, stmt)
		}
	}
	now := w.now().UTC()
	es := make([]warehouse.LedgerEntry, len(files))
	for i, f := range files {
		es[i] = warehouse.LoadedEntry(f.Object, 0, f.Attempts, f.Note, now)
	}
	if err := w.inTx(ctx, func(tx *sql.Tx) error { return w.writeLedger(ctx, tx, es) }); err != nil {
		return warehouse.Loaded{}, err
	}
	w.noteSeen(es)
	return warehouse.Loaded{}, nil
}
