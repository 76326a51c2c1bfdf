package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Expire applies retention in one transaction (see warehouse.Warehouse).
// The files that expire are found once, into a temporary table (as
// BigQuery's script does), and the per-file tables and the ledger are
// joined with that: with the dialect's subquery in each statement the
// planner ran DELETE on run_outcome_counts as a nested loop that read
// sync_records once per counts row once the tables were analysed (27 s of
// a 30 s pass on 540,000 rows), and the ledger's UPDATE the same way
// before they were (12.6 s of 13.9 s on 270,000).
func (w *Warehouse) Expire(ctx context.Context, r warehouse.Retention) (warehouse.Expired, error) {
	if r.Days <= 0 {
		// The pass runs after every load: the tables a load left without
		// statistics are analyzed, as below, for the pages' sake too (a
		// first load's Sync History page took minutes, the planner taking
		// sync_records for empty and joining by nested loops: found by a
		// review).
		// Best effort: the load is committed, and a statistics step that
		// fails (a lock or statement timeout) is no reason to fail it.
		if err := w.analyzeStale(ctx, append([]string{"sync_records"}, dialects.FileTables...)); err != nil && ctx.Err() == nil {
			w.log.Warn("could not analyze the tables a load left without statistics; autovacuum will", "err", err)
		}
		return warehouse.Expired{}, nil
	}
	if err := w.lockLoads(ctx); err != nil {
		return warehouse.Expired{}, err
	}
	if err := w.analyzeStale(ctx, append([]string{"sync_records", "load_ledger"}, dialects.FileTables...)); err != nil {
		return warehouse.Expired{}, err
	}
	s := dialects.Expire(w.d, w.schema, r.Cutoff, r.Note())
	const tmp = "pg_temp.synctrack_expiring"
	in := w.d.Ident("_file") + " IN (SELECT _file FROM " + tmp + ")"
	var out warehouse.Expired
	err := w.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "CREATE TEMPORARY TABLE synctrack_expiring ON COMMIT DROP AS SELECT DISTINCT e._file FROM ("+
			s.Expiring+") e"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "ANALYZE "+tmp); err != nil {
			return err
		}
		for _, t := range dialects.FileTables {
			if _, err := tx.Exec(ctx, "DELETE FROM "+w.table(t)+" WHERE "+in); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, dialects.ExpireLedger(w.d, w.schema, r.Note(), w.d.Ident("key")+" IN (SELECT _file FROM "+tmp+")"))
		if err != nil {
			return err
		}
		out.Files = tag.RowsAffected()
		if tag, err = tx.Exec(ctx, s.Rows); err != nil {
			return err
		}
		out.Rows = tag.RowsAffected()
		return nil
	})
	return out, err
}

// analyzeStale runs ANALYZE on those of tables whose statistics are
// missing or stale by autovacuum's own measure (more rows changed since the
// last one than 50 and a tenth of the table): right after a first large
// load, before autovacuum has looked, the planner takes them for empty and
// picks nested loops (Expire). A table whose statistics are current is left
// alone, since the daemon runs the pass after every load. On 540,000 rows
// it costs 1.3 s, once (BENCHMARKS.md).
func (w *Warehouse) analyzeStale(ctx context.Context, tables []string) error {
	rows, err := w.pool.Query(ctx, `SELECT c.relname FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE n.nspname = $1 AND c.relname = ANY($2)
  AND (c.reltuples < 0 OR coalesce(s.n_mod_since_analyze, 0) > 50 + 0.1 * c.reltuples)
ORDER BY c.relname`, w.schema, tables)
	if err != nil {
		return classify(fmt.Errorf("table statistics: %w", err))
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return classify(fmt.Errorf("table statistics: %w", err))
	}
	for _, t := range stale {
		start := time.Now()
		if _, err := w.pool.Exec(ctx, "ANALYZE "+w.table(t)); err != nil {
			return classify(fmt.Errorf("analyze %s: %w", t, err))
		}
		w.log.Debug("analyzed a table whose statistics were missing or stale", "table", t, "elapsed", time.Since(start).Round(time.Millisecond))
	}
	return nil
}
