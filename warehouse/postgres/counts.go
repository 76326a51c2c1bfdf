package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
)

// backfillCounts fills the counts tables of a schema made before them, in
// setup's transaction (PostgreSQL's DDL is transactional, so the tables and
// their rows commit together): rows in sync_records and none in
// run_outcome_counts can only mean that, since every load writes a file's
// counts with its rows. A schema with counts is left alone.
func (w *Warehouse) backfillCounts(ctx context.Context, tx pgx.Tx) error {
	var need bool
	q := `SELECT EXISTS (SELECT 1 FROM ` + w.table("sync_records") + `) AND NOT EXISTS (SELECT 1 FROM ` +
		w.table(dialects.OutcomeCountsTable) + `)`
	if err := tx.QueryRow(ctx, q).Scan(&need); err != nil {
		return fmt.Errorf("check run counts: %w", err)
	}
	if !need {
		return nil
	}
	for _, s := range analysis.CountsRefill(w.d, w.schema, "TRUE", "") {
		if _, err := tx.Exec(ctx, s); err != nil {
			return fmt.Errorf("backfill run counts from sync_records: %w", err)
		}
	}
	w.log.Info("backfilled run counts from sync_records", "schema", w.schema)
	return nil
}
