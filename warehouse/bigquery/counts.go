package bigquery

import (
	"context"
	"fmt"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
)

// backfillCounts fills the counts tables of a dataset made before them
// (setup has just created them through the API): empty counts while the
// ledger has records files loaded with rows can only mean that, since every
// load writes a file's counts with its rows and ledger row. The counts are
// taken from sync_records (the table, or external mode's view) for the
// files the ledger says are loaded, in one transaction, so a failure leaves
// them empty and the next open tries again. One small query job when there
// is nothing to do: the counts table and the ledger are small.
func (w *Warehouse) backfillCounts(ctx context.Context) error {
	loaded := dialects.LoadedRecordKeys(w.d, w.c.Dataset)
	need, err := w.script(ctx, "SELECT IF((SELECT COUNT(*) FROM "+w.table(dialects.OutcomeCountsTable)+
		") = 0 AND EXISTS ("+loaded+"), 1, 0) AS need")
	if err != nil {
		return fmt.Errorf("check run counts: %w", err)
	}
	if need == 0 {
		return nil
	}
	loadedAt := ""
	if w.c.Mode == "external" {
		loadedAt = "CURRENT_TIMESTAMP()"
	}
	stmts := analysis.CountsRefill(w.d, w.c.Dataset, "r._file IN ("+loaded+")", loadedAt)
	if err := w.query(ctx, w.d.Transaction(stmts...)); err != nil {
		return fmt.Errorf("backfill run counts from sync_records: %w", err)
	}
	w.log.Info("backfilled run counts from sync_records", "dataset", w.c.Dataset)
	return nil
}
