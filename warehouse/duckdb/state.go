package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/synctrack/synctrack/warehouse"
)

var (
	_ warehouse.RunStates = (*Warehouse)(nil)
	_ warehouse.Leaser    = (*Warehouse)(nil)
)

// ensureDaemonTables adds what only the daemon needs: sync_runs.state and
// completed_at, and the lease table. Idempotent; done before each state or
// lease write, so a database made by `synctrack load` gains them on first use.
func (w *Warehouse) ensureDaemonTables(ctx context.Context) error {
	runs := w.table("sync_runs")
	for _, s := range []string{
		`ALTER TABLE ` + runs + ` ADD COLUMN IF NOT EXISTS state VARCHAR DEFAULT 'open'`,
		`ALTER TABLE ` + runs + ` ADD COLUMN IF NOT EXISTS completed_at TIMESTAMPTZ`,
		`CREATE TABLE IF NOT EXISTS ` + w.table("daemon_lease") + ` (
  name VARCHAR PRIMARY KEY, holder VARCHAR NOT NULL, expires_at TIMESTAMPTZ NOT NULL, acquired_at TIMESTAMPTZ)`,
	} {
		if _, err := w.exec(ctx, w.db, s); err != nil {
			return classify(err, nil)
		}
	}
	return nil
}

// updateRuns runs an UPDATE of sync_runs joined with the given runs as r.
func (w *Warehouse) updateRuns(ctx context.Context, runs []warehouse.RunRef, set, where string, args ...any) (int64, error) {
	if len(runs) == 0 {
		return 0, nil
	}
	if err := w.ensureDaemonTables(ctx); err != nil {
		return 0, err
	}
	var n int64
	err := w.inTx(ctx, nil, func(tx *sql.Tx) error {
		if _, err := w.exec(ctx, tx, `CREATE OR REPLACE TEMP TABLE _st_runs (org VARCHAR, sync VARCHAR, run VARCHAR)`); err != nil {
			return err
		}
		vals := make([][]any, len(runs))
		for i, r := range runs {
			vals[i] = []any{r.OrgID, r.SyncID, r.RunID}
		}
		if err := w.insertValues(ctx, tx, "_st_runs", 3, vals); err != nil {
			return err
		}
		t := w.table("sync_runs")
		res, err := w.exec(ctx, tx, `UPDATE `+t+` SET `+set+` FROM _st_runs r
WHERE `+t+`.org_id = r.org AND `+t+`.sync_configuration_id = r.sync AND `+t+`.sync_run_id = r.run AND `+where, args...)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		_, err = w.exec(ctx, tx, `DROP TABLE _st_runs`)
		return err
	})
	return n, err
}

// ReopenRuns marks runs open again: a late file arrived.
func (w *Warehouse) ReopenRuns(ctx context.Context, runs []warehouse.RunRef) (int64, error) {
	return w.updateRuns(ctx, runs, `state = 'open', completed_at = NULL`, `state IS DISTINCT FROM 'open'`)
}

// CompleteRuns marks open runs complete.
func (w *Warehouse) CompleteRuns(ctx context.Context, runs []warehouse.RunRef, at time.Time) (int64, error) {
	return w.updateRuns(ctx, runs, `state = 'complete', completed_at = ?`, `state IS DISTINCT FROM 'complete'`, at.UTC())
}

// CompleteQuietRuns completes open runs whose folder had no file loaded since
// cutoff (the run's own metadata.json counts).
func (w *Warehouse) CompleteQuietRuns(ctx context.Context, cutoff, at time.Time) (int64, int64, error) {
	if err := w.ensureDaemonTables(ctx); err != nil {
		return 0, 0, err
	}
	t, l := w.table("sync_runs"), w.table("load_ledger")
	var done, open int64
	err := w.inTx(ctx, nil, func(tx *sql.Tx) error {
		res, err := w.exec(ctx, tx, `UPDATE `+t+` SET state = 'complete', completed_at = ?
WHERE state = 'open' AND coalesce((SELECT max(l.loaded_at) FROM `+l+` l
  WHERE starts_with(l.key, left(`+t+`._file, length(`+t+`._file) - length('metadata.json')))), `+t+`._loaded_at) < ?`,
			at.UTC(), cutoff.UTC())
		if err != nil {
			return err
		}
		done, _ = res.RowsAffected()
		q := `SELECT count(*) FROM ` + t + ` WHERE state = 'open'`
		w.log.Debug("query", "sql", q)
		return tx.QueryRowContext(ctx, q).Scan(&open)
	})
	return done, open, err
}

// AcquireLease takes the named lease if it is free, expired or already ours.
// DuckDB lets one process write at a time, so read-then-write in one
// transaction cannot race another daemon.
func (w *Warehouse) AcquireLease(ctx context.Context, name, me string, ttl time.Duration) (bool, string, time.Time, error) {
	w.evicting.Lock() // not while memory_limit is down (blocks.go)
	defer w.evicting.Unlock()
	if err := w.ensureDaemonTables(ctx); err != nil {
		return false, "", time.Time{}, err
	}
	now := w.now().UTC()
	var ok bool
	var holder string
	var until time.Time
	err := w.inTx(ctx, nil, func(tx *sql.Tx) error {
		t := w.table("daemon_lease")
		q := `SELECT holder, expires_at FROM ` + t + ` WHERE name = ?`
		w.log.Debug("query", "sql", q)
		err := tx.QueryRowContext(ctx, q, name).Scan(&holder, &until)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err == nil && holder != me && until.After(now) {
			return nil
		}
		ok, holder, until = true, me, now.Add(ttl)
		_, err = w.exec(ctx, tx, `INSERT OR REPLACE INTO `+t+` VALUES (?, ?, ?, ?)`, name, me, until, now)
		return err
	})
	return ok, holder, until, err
}

// ReleaseLease frees the lease if me holds it.
func (w *Warehouse) ReleaseLease(ctx context.Context, name, me string) error {
	if err := w.ensureDaemonTables(ctx); err != nil {
		return err
	}
	_, err := w.exec(ctx, w.db, `DELETE FROM `+w.table("daemon_lease")+` WHERE name = ? AND holder = ?`, name, me)
	return err
}
