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
		for _, s := range analysis.CountsDeletes(w.d, w.schema) {
			if _, err := w.exec(ctx, tx, s); err != nil {
				return err
			}
		}
		return w.writeCounts(ctx, tx, "TRUE")
	})
	if err != nil {
		return fmt.Errorf("backfill run counts from sync_records: %w", err)
	}
	w.log.Info("backfilled run counts from sync_records", "schema", w.schema)
	return nil
}

// countGroups is the temporary table writeCounts groups the rows into.
const countGroups = "_st_counts"

// writeCounts writes the per-run counts of the sync_records rows aliased r
// that where selects, args bound to its placeholders: one pass over the rows
// into countGroups (the fingerprint by the Go function, not six regexp
// replacements per row), then both counts tables from those few groups.
// Before, two INSERTs each read the rows, the second with the regexps: they
// took 15-35% of a load's time; BENCHMARKS.md, "What the counts cost a load".
func (w *Warehouse) writeCounts(ctx context.Context, tx *sql.Tx, where string, args ...any) error {
	q := "CREATE OR REPLACE TEMP TABLE " + countGroups + " AS\n" + analysis.CountGroups(w.d, w.schema, where, fingerprint)
	if _, err := w.exec(ctx, tx, q, args...); err != nil {
		return err
	}
	for _, s := range analysis.CountsFromGroups(w.d, w.schema, countGroups) {
		if _, err := w.exec(ctx, tx, s); err != nil {
			return err
		}
	}
	_, err := w.exec(ctx, tx, "DROP TABLE "+countGroups)
	return err
}
