package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/synctrack/synctrack/warehouse"
)

var (
	_ warehouse.RunStates = (*Warehouse)(nil)
	_ warehouse.Leaser    = (*Warehouse)(nil)
)

// sync_runs has state and completed_at, and daemon_lease exists, from the
// schema's setup (dialects.Postgres.Setup): nothing to add here.

// updateRuns runs one UPDATE of sync_runs joined with the given runs.
func (w *Warehouse) updateRuns(ctx context.Context, runs []warehouse.RunRef, set, where string, args ...any) (int64, error) {
	if len(runs) == 0 {
		return 0, nil
	}
	orgs, syncs, ids := make([]string, len(runs)), make([]string, len(runs)), make([]string, len(runs))
	for i, r := range runs {
		orgs[i], syncs[i], ids[i] = r.OrgID, r.SyncID, r.RunID
	}
	t := w.table("sync_runs")
	q := `UPDATE ` + t + ` m SET ` + set + ` FROM unnest($1::text[], $2::text[], $3::text[]) AS r(org, sync, run)
WHERE m.org_id = r.org AND m.sync_configuration_id = r.sync AND m.sync_run_id = r.run AND ` + where
	tag, err := w.pool.Exec(ctx, q, append([]any{orgs, syncs, ids}, args...)...)
	if err != nil {
		return 0, classify(err)
	}
	return tag.RowsAffected(), nil
}

// ReopenRuns marks runs open again: a late file arrived.
func (w *Warehouse) ReopenRuns(ctx context.Context, runs []warehouse.RunRef) (int64, error) {
	return w.updateRuns(ctx, runs, `state = 'open', completed_at = NULL`, `m.state IS DISTINCT FROM 'open'`)
}

// CompleteRuns marks open runs complete.
func (w *Warehouse) CompleteRuns(ctx context.Context, runs []warehouse.RunRef, at time.Time) (int64, error) {
	return w.updateRuns(ctx, runs, `state = 'complete', completed_at = $4`, `m.state IS DISTINCT FROM 'complete'`, at.UTC())
}

// CompleteQuietRuns completes open runs whose folder had no file loaded
// since cutoff (the run's own metadata.json counts). A row without a state
// (none here, but a row inserted by hand) reads as open.
func (w *Warehouse) CompleteQuietRuns(ctx context.Context, cutoff, at time.Time) (int64, int64, error) {
	t, l := w.table("sync_runs"), w.table("load_ledger")
	var done, open int64
	err := w.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE `+t+` m SET state = 'complete', completed_at = $1
WHERE coalesce(m.state, 'open') = 'open' AND coalesce((SELECT max(l.loaded_at) FROM `+l+` l
  WHERE starts_with(l.key, left(m._file, length(m._file) - length('metadata.json')))), m._loaded_at) < $2`,
			at.UTC(), cutoff.UTC())
		if err != nil {
			return err
		}
		done = tag.RowsAffected()
		return tx.QueryRow(ctx, `SELECT count(*) FROM `+t+` WHERE coalesce(state, 'open') = 'open'`).Scan(&open)
	})
	return done, open, err
}

// AcquireLease takes the named lease if it is free, expired or already
// ours, in one statement: INSERT ... ON CONFLICT locks the row, so two
// daemons asking at once are served one after the other, and the second
// sees the first's row.
func (w *Warehouse) AcquireLease(ctx context.Context, name, me string, ttl time.Duration) (bool, string, time.Time, error) {
	now := w.now().UTC()
	until := now.Add(ttl)
	t := w.table("daemon_lease")
	var holder string
	err := w.pool.QueryRow(ctx, `INSERT INTO `+t+` AS l (name, holder, expires_at, acquired_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, acquired_at = EXCLUDED.acquired_at
WHERE l.holder = EXCLUDED.holder OR l.expires_at <= $4
RETURNING holder`, name, me, until, now).Scan(&holder)
	if err == nil {
		return true, me, until, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, "", time.Time{}, classify(err)
	}
	err = w.pool.QueryRow(ctx, `SELECT holder, expires_at FROM `+t+` WHERE name = $1`, name).Scan(&holder, &until)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, "", time.Time{}, nil // released just now: the next try takes it
	}
	if err != nil {
		return false, "", time.Time{}, classify(err)
	}
	return false, holder, until, nil
}

// ReleaseLease frees the lease if me holds it.
func (w *Warehouse) ReleaseLease(ctx context.Context, name, me string) error {
	_, err := w.pool.Exec(ctx, `DELETE FROM `+w.table("daemon_lease")+` WHERE name = $1 AND holder = $2`, name, me)
	return classify(err)
}

// Requeue makes quarantined ledger rows failed again with no attempts.
func (w *Warehouse) Requeue(ctx context.Context, keys []string) (int64, error) {
	q := `UPDATE ` + w.table("load_ledger") + ` SET status = '` + warehouse.StatusFailed + `', attempts = 0
WHERE status = '` + warehouse.StatusQuarantined + `'`
	var args []any
	if len(keys) > 0 {
		q += ` AND key = ANY($1)`
		args = append(args, keys)
	}
	tag, err := w.pool.Exec(ctx, strings.TrimSpace(q), args...)
	if err != nil {
		return 0, classify(err)
	}
	return tag.RowsAffected(), nil
}
