package bigquery

import (
	"context"
	"fmt"
	"strings"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

var (
	_ warehouse.RunStates = (*Warehouse)(nil)
	_ warehouse.Leaser    = (*Warehouse)(nil)
)

// dml runs one DML statement and returns the rows it affected, which BigQuery
// reports in the job's statistics.
func (w *Warehouse) dml(ctx context.Context, sql string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, w.c.JobTimeout)
	defer cancel()
	w.log.Debug("statement", "sql", sql)
	w.count(func(s *Stats) { s.Queries++ })
	job, err := w.client.Query(sql).Run(ctx)
	if err != nil {
		return 0, classify(err)
	}
	st, err := job.Wait(ctx)
	if err == nil {
		err = st.Err()
	}
	if err != nil {
		return 0, classify(err)
	}
	if qs, ok := st.Statistics.Details.(*bigquery.QueryStatistics); ok {
		return qs.NumDMLAffectedRows, nil
	}
	return 0, fmt.Errorf("bigquery: no DML statistics for %q", firstLine(sql))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// serializationFailure is BigQuery's answer to DML that conflicts with
// concurrent DML on the same table: retryable, and for the lease, not taken.
func serializationFailure(err error) bool {
	return err != nil && strings.Contains(err.Error(), "could not serialize access")
}

// AcquireLease takes or renews the lease with one UPDATE that affects the
// lease row only if it is ours or expired (by this process's clock, as on
// DuckDB and Snowflake: the TTL must exceed the clock skew between daemons).
// It affects none when another holds it, or when there is no row yet: then
// the free row is seeded and the UPDATE tried once more. A conflict with a
// concurrent daemon's DML is the lease not taken.
func (w *Warehouse) AcquireLease(ctx context.Context, name, me string, ttl time.Duration) (bool, string, time.Time, error) {
	now := w.now().UTC()
	until := now.Add(ttl)
	for try := 0; ; try++ {
		n, err := w.dml(ctx, w.d.AcquireLease(w.c.Dataset, name, me, now, until))
		if err != nil && !serializationFailure(err) {
			return false, "", time.Time{}, wrap("acquire lease", err)
		}
		if err == nil && n > 0 {
			return true, me, until, nil
		}
		holder, held, found, rerr := w.leaseHolder(ctx, name)
		if rerr != nil {
			return false, "", time.Time{}, wrap("read lease", rerr)
		}
		if err == nil && found && holder == me && held.Equal(until) {
			return true, me, until, nil // the emulator reports no affected rows
		}
		if found || try > 0 || err != nil {
			return false, holder, held, nil
		}
		if _, err := w.dml(ctx, w.d.SeedLease(w.c.Dataset, name)); err != nil && !serializationFailure(err) {
			return false, "", time.Time{}, wrap("seed lease", err)
		}
	}
}

func (w *Warehouse) leaseHolder(ctx context.Context, name string) (holder string, until time.Time, found bool, err error) {
	err = w.read(ctx, w.d.LeaseHolder(w.c.Dataset, name), func(row []bigquery.Value) error {
		found = true
		holder, _ = row[0].(string)
		until, _ = row[1].(time.Time)
		return nil
	})
	return holder, until.UTC(), found, err
}

// ReleaseLease frees the lease row if me holds it.
func (w *Warehouse) ReleaseLease(ctx context.Context, name, me string) error {
	_, err := w.dml(ctx, w.d.ReleaseLease(w.c.Dataset, name, me))
	return wrap("release lease", err)
}

// updateRuns runs one UPDATE per chunk of runs and sums the rows affected.
func (w *Warehouse) updateRuns(ctx context.Context, runs []warehouse.RunRef, render func([]dialects.RunRef) [2]string) (int64, error) {
	const chunk = 1000
	var total int64
	for start := 0; start < len(runs); start += chunk {
		part := runs[start:min(start+chunk, len(runs))]
		rs := make([]dialects.RunRef, len(part))
		for i, r := range part {
			rs[i] = dialects.RunRef{Org: r.OrgID, Sync: r.SyncID, Run: r.RunID}
		}
		n, err := w.counted(ctx, render(rs))
		if err != nil {
			return total, wrap("run state", err)
		}
		total += n
	}
	return total, nil
}

// ReopenRuns marks runs open again: a late file arrived.
func (w *Warehouse) ReopenRuns(ctx context.Context, runs []warehouse.RunRef) (int64, error) {
	return w.updateRuns(ctx, runs, func(rs []dialects.RunRef) [2]string { return w.d.ReopenRuns(w.c.Dataset, rs) })
}

// CompleteRuns marks open runs complete at `at`.
func (w *Warehouse) CompleteRuns(ctx context.Context, runs []warehouse.RunRef, at time.Time) (int64, error) {
	return w.updateRuns(ctx, runs, func(rs []dialects.RunRef) [2]string { return w.d.CompleteRuns(w.c.Dataset, rs, at.UTC()) })
}

// CompleteQuietRuns completes open runs whose folder had no file loaded since
// cutoff, then counts those still open.
func (w *Warehouse) CompleteQuietRuns(ctx context.Context, cutoff, at time.Time) (int64, int64, error) {
	stmts := w.d.CompleteQuietRuns(w.c.Dataset, cutoff.UTC(), at.UTC())
	done, err := w.counted(ctx, [2]string{stmts[0], stmts[1]})
	if err != nil {
		return 0, 0, wrap("complete quiet runs", err)
	}
	open, err := w.count1(ctx, stmts[2])
	return done, open, wrap("count open runs", err)
}

// counted runs a count and the UPDATE it counts (dialects.BigQuery.Counted),
// returning the count; with no rows to change, the UPDATE is not run.
func (w *Warehouse) counted(ctx context.Context, c [2]string) (int64, error) {
	n, err := w.count1(ctx, c[0])
	if err != nil || n == 0 {
		return 0, err
	}
	_, err = w.dml(ctx, c[1])
	return n, err
}

// count1 runs a query or script whose result is one count.
func (w *Warehouse) count1(ctx context.Context, sql string) (int64, error) {
	var n int64
	err := w.read(ctx, sql, func(row []bigquery.Value) error {
		n, _ = row[0].(int64)
		return nil
	})
	return n, err
}
