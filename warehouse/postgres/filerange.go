package postgres

import (
	"context"
	"fmt"

	"github.com/synctrack/synctrack/dialects"
)

// FileRange is the first and last _file of sync's rows (of run's, when run
// is not empty), from run_outcome_counts, which every load writes in the
// rows' transaction (warehouse.FileRanger). sync_records has a BRIN index
// on _file and a load writes its files in key order, so a page's query
// bounded by them reads the pages holding those files instead of the whole
// table: a run's records files sit under one key prefix, a sync's under a
// few. ok is false when the counts have no row for them.
func (w *Warehouse) FileRange(ctx context.Context, sync, run string) (from, to string, ok bool, err error) {
	q := `SELECT min(_file), max(_file) FROM ` + w.table(dialects.OutcomeCountsTable) + ` WHERE sync_configuration_id = $1`
	args := []any{sync}
	if run != "" {
		q += ` AND sync_run_id = $2`
		args = append(args, run)
	}
	var lo, hi *string
	if err := w.pool.QueryRow(ctx, q, args...).Scan(&lo, &hi); err != nil {
		return "", "", false, classify(fmt.Errorf("file range: %w", err))
	}
	if lo == nil || hi == nil {
		return "", "", false, nil
	}
	return *lo, *hi, true, nil
}
