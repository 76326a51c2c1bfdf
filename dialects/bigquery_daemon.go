package dialects

import "time"

// The daemon's lease and run state on BigQuery: plain DML, whose affected
// row count (the job's numDmlAffectedRows) says whether it took. BigQuery
// runs DML on one table serializably; a statement that conflicts with a
// concurrent one fails with "could not serialize access", which the
// warehouse reads as the lease not taken.

// epoch is the expiry of a free lease row.
var epoch = time.Unix(0, 0).UTC()

// SeedLease renders the INSERT of the free lease row name when there is none
// yet. Two daemons seeding at once may both insert it; every lease statement
// acts on all rows of a name alike, so the copies stay equal.
func (d BigQuery) SeedLease(dataset, name string) string {
	t := d.Table(dataset, "daemon_lease")
	return "INSERT INTO " + t + " (name, holder, expires_at, acquired_at)\nSELECT " + d.String(name) + ", '', " +
		d.Value(epoch) + ", NULL FROM UNNEST([1])\nWHERE NOT EXISTS (SELECT 1 FROM " + t + " WHERE name = " + d.String(name) + ")"
}

// AcquireLease renders the UPDATE that takes the lease row for me until
// `until` if it is mine or expired at now: it affects no row when another
// holds it (or when there is no row yet: SeedLease).
func (d BigQuery) AcquireLease(dataset, name, me string, now, until time.Time) string {
	mine := "holder = " + d.String(me)
	return "UPDATE " + d.Table(dataset, "daemon_lease") + " SET holder = " + d.String(me) + ", expires_at = " + d.Value(until) +
		", acquired_at = IF(" + mine + ", acquired_at, " + d.Value(now) + ")\nWHERE name = " + d.String(name) +
		" AND (" + mine + " OR expires_at < " + d.Value(now) + ")"
}

// LeaseHolder renders the read of who holds the lease and until when.
func (d BigQuery) LeaseHolder(dataset, name string) string {
	return "SELECT holder, expires_at FROM " + d.Table(dataset, "daemon_lease") + " WHERE name = " + d.String(name) + " LIMIT 1"
}

// ReleaseLease renders the UPDATE that frees the lease if me holds it. The
// row stays, free, so the next acquire is one UPDATE.
func (d BigQuery) ReleaseLease(dataset, name, me string) string {
	return "UPDATE " + d.Table(dataset, "daemon_lease") + " SET holder = '', expires_at = " + d.Value(epoch) +
		"\nWHERE name = " + d.String(name) + " AND holder = " + d.String(me)
}

// runIn renders the condition that a sync_runs row is one of runs: ids come
// from folder names, which never hold "/".
func (d BigQuery) runIn(runs []RunRef) string {
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.Org + "/" + r.Sync + "/" + r.Run
	}
	return "CONCAT(r.org_id, '/', r.sync_configuration_id, '/', r.sync_run_id) IN UNNEST(" + d.StringArray(ids) + ")"
}

// Counted renders the two statements of a counted UPDATE of sync_runs (as
// r): the count of rows where holds, then the UPDATE. The warehouse runs them
// one after the other under the lease, which keeps other writers out: the
// emulator reports no affected rows, and evaluates a script's DECLARE lazily.
func (d BigQuery) Counted(dataset, set, where string) [2]string {
	t := d.Table(dataset, "sync_runs")
	return [2]string{"SELECT COUNT(*) FROM " + t + " r WHERE " + where, "UPDATE " + t + " r SET " + set + "\nWHERE " + where}
}

// ReopenRuns renders the statements (Counted) that marks runs open again,
// clearing completed_at. A NULL state (a row from before the column) reads as open.
func (d BigQuery) ReopenRuns(dataset string, runs []RunRef) [2]string {
	return d.Counted(dataset, "state = 'open', completed_at = NULL", d.runIn(runs)+" AND COALESCE(r.state, 'open') != 'open'")
}

// CompleteRuns renders the statements (Counted) that marks runs complete at `at`.
func (d BigQuery) CompleteRuns(dataset string, runs []RunRef, at time.Time) [2]string {
	return d.Counted(dataset, "state = 'complete', completed_at = "+d.Value(at), d.runIn(runs)+" AND COALESCE(r.state, 'open') != 'complete'")
}

// CompleteQuietRuns renders the statements (Counted) that completes open runs
// whose folder (their metadata.json's) had no file loaded since cutoff, and
// the count of runs still open after it.
func (d BigQuery) CompleteQuietRuns(dataset string, cutoff, at time.Time) [3]string {
	l := d.Table(dataset, "load_ledger")
	open := "COALESCE(r.state, 'open') = 'open'"
	folder := "LEFT(r._file, LENGTH(r._file) - LENGTH('metadata.json'))"
	c := d.Counted(dataset, "state = 'complete', completed_at = "+d.Value(at), open+" AND r._loaded_at < "+d.Value(cutoff)+
		"\n  AND NOT EXISTS (SELECT 1 FROM "+l+" l WHERE l.loaded_at >= "+d.Value(cutoff)+" AND STARTS_WITH(l.`key`, "+folder+"))")
	return [3]string{c[0], c[1], "SELECT COUNT(*) FROM " + d.Table(dataset, "sync_runs") + " r WHERE " + open}
}
