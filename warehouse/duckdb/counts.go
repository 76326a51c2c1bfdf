package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
)

// backfillCounts fills the counts tables of a schema made before them: rows
// in sync_records and none in run_outcome_counts can only mean that, since
// every load writes a file's counts with its rows (each row has an outcome).
// One transaction empties and refills both, so a crash leaves them empty and
// the next open fills them again; a schema with counts is left alone.
func (w *Warehouse) backfillCounts(ctx context.Context) error {
	var need bool
	q := `SELECT EXISTS (SELECT 1 FROM ` + w.table("sync_records") + `) AND NOT EXISTS (SELECT 1 FROM ` +
		w.table(dialects.OutcomeCountsTable) + `)`
	if err := w.db.QueryRowContext(ctx, q).Scan(&need); err != nil {
		return classify(fmt.Errorf("check run counts: %w", err), nil)
	}
	if !need {
		return nil
	}
	err := w.inTx(ctx, nil, func(tx *sql.Tx) error {
		for _, t := range dialects.CountsTables() {
			if _, err := w.exec(ctx, tx, `DELETE FROM `+w.table(t.Name)); err != nil {
				return err
			}
		}
		for _, s := range analysis.CountsInserts(w.d, w.schema, "TRUE", "") {
			if _, err := w.exec(ctx, tx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("backfill run counts from sync_records: %w", err)
	}
	w.log.Info("backfilled run counts from sync_records", "schema", w.schema)
	return nil
}
