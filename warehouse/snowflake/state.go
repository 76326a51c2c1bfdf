package snowflake

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

var (
	_ warehouse.RunStates = (*Warehouse)(nil)
	_ warehouse.Leaser    = (*Warehouse)(nil)
)

// errInvalidIdentifier is Snowflake's "invalid identifier": a column that is
// not there, as sync_runs.state in a schema set up before the daemon had it.
const errInvalidIdentifier = 904

// daemonDo runs fn; when it fails because a daemon table or column is missing
// (a schema set up by an older synctrack; Setup makes them for new ones), it
// adds them (DaemonTables) and runs fn once more. A cycle on a current schema
// pays no DDL.
func (w *Warehouse) daemonDo(ctx context.Context, fn func() error) error {
	err := fn()
	if err == nil || (!isMissing(err) && code(err) != errInvalidIdentifier) {
		return err
	}
	w.log.Info("adding the daemon's lease table and run state columns", "cause", err)
	for _, s := range w.d.DaemonTables(w.schema) {
		if err := w.exec(ctx, w.db, s); err != nil {
			return err
		}
	}
	return fn()
}

// execCount runs one statement and returns the rows it affected.
func (w *Warehouse) execCount(ctx context.Context, q querier, stmt string) (int64, error) {
	w.log.Debug("statement", "sql", stmt)
	res, err := q.ExecContext(ctx, stmt)
	if err != nil {
		return 0, w.classify(err, stmt)
	}
	n, err := res.RowsAffected()
	return n, w.classify(err, stmt)
}

// AcquireLease takes or renews the lease: in one transaction, a MERGE that
// affects the row only if it is free, ours or expired (checked by rows
// affected), and when it affected none, a read of who holds it. Expiry is
// judged by this process's clock, as on DuckDB: the TTL must exceed the
// clock skew between daemons.
func (w *Warehouse) AcquireLease(ctx context.Context, name, me string, ttl time.Duration) (bool, string, time.Time, error) {
	now := w.now().UTC()
	until := now.Add(ttl)
	var ok bool
	var holder string
	var held time.Time
	err := w.daemonDo(ctx, func() error {
		ok, holder, held = false, "", time.Time{}
		return w.inTx(ctx, func(tx *sql.Tx) error {
			n, err := w.execCount(ctx, tx, w.d.AcquireLease(w.schema, name, me, now, until))
			if err != nil {
				return err
			}
			if n > 0 {
				ok, holder, held = true, me, until
				return nil
			}
			q := w.d.LeaseHolder(w.schema, name)
			var micros int64
			w.log.Debug("query", "sql", q)
			err = tx.QueryRowContext(ctx, q).Scan(&holder, &micros)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // released between the MERGE and the read: try again next cycle
			}
			if err != nil {
				return w.classify(err, q)
			}
			held = time.UnixMicro(micros).UTC()
			return nil
		})
	})
	return ok, holder, held, err
}

// ReleaseLease deletes the lease row if me holds it.
func (w *Warehouse) ReleaseLease(ctx context.Context, name, me string) error {
	return w.daemonDo(ctx, func() error { return w.exec(ctx, w.db, w.d.ReleaseLease(w.schema, name, me)) })
}

func refs(runs []warehouse.RunRef) []dialects.RunRef {
	out := make([]dialects.RunRef, len(runs))
	for i, r := range runs {
		out[i] = dialects.RunRef{Org: r.OrgID, Sync: r.SyncID, Run: r.RunID}
	}
	return out
}

// updateRuns runs stmts (one per chunk of runs) in one transaction and sums
// the rows they affected.
func (w *Warehouse) updateRuns(ctx context.Context, runs []warehouse.RunRef, render func([]dialects.RunRef) string) (int64, error) {
	if len(runs) == 0 {
		return 0, nil
	}
	var total int64
	err := w.daemonDo(ctx, func() error {
		total = 0
		return w.inTx(ctx, func(tx *sql.Tx) error {
			rs := refs(runs)
			for start := 0; start < len(rs); start += ledgerChunk {
				n, err := w.execCount(ctx, tx, render(rs[start:min(start+ledgerChunk, len(rs))]))
				if err != nil {
					return err
				}
				total += n
			}
			return nil
		})
	})
	return total, err
}

// ReopenRuns marks runs open again: a late file arrived.
func (w *Warehouse) ReopenRuns(ctx context.Context, runs []warehouse.RunRef) (int64, error) {
	return w.updateRuns(ctx, runs, func(rs []dialects.RunRef) string { return w.d.ReopenRuns(w.schema, rs) })
}

// CompleteRuns marks open runs complete at `at`.
func (w *Warehouse) CompleteRuns(ctx context.Context, runs []warehouse.RunRef, at time.Time) (int64, error) {
	return w.updateRuns(ctx, runs, func(rs []dialects.RunRef) string { return w.d.CompleteRuns(w.schema, rs, at.UTC()) })
}

// CompleteQuietRuns completes open runs whose folder had no file loaded since
// cutoff, and counts those still open, in one transaction.
func (w *Warehouse) CompleteQuietRuns(ctx context.Context, cutoff, at time.Time) (int64, int64, error) {
	var done, open int64
	err := w.daemonDo(ctx, func() error {
		return w.inTx(ctx, func(tx *sql.Tx) error {
			stmts := w.d.CompleteQuietRuns(w.schema, cutoff.UTC(), at.UTC())
			var err error
			if done, err = w.execCount(ctx, tx, stmts[0]); err != nil {
				return err
			}
			w.log.Debug("query", "sql", stmts[1])
			if err := tx.QueryRowContext(ctx, stmts[1]).Scan(&open); err != nil {
				return w.classify(err, stmts[1])
			}
			return nil
		})
	})
	return done, open, err
}
