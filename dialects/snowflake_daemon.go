package dialects

import (
	"strings"
	"time"
)

// DaemonTables renders what the daemon needs beyond Setup's tables: the run
// state columns of sync_runs and the lease table. Idempotent DDL, run outside
// any transaction (DDL would commit it).
func (d Snowflake) DaemonTables(schema string) []string {
	runs := d.Table(schema, "sync_runs")
	return []string{
		"ALTER TABLE " + runs + " ADD COLUMN IF NOT EXISTS " + d.Ident("state") + " VARCHAR DEFAULT 'open'",
		"ALTER TABLE " + runs + " ADD COLUMN IF NOT EXISTS " + d.Ident("completed_at") + " TIMESTAMP_TZ",
		d.CreateTable(schema, "daemon_lease", LeaseColumns, false),
	}
}

// ts renders a time as a TIMESTAMP_TZ.
func (d Snowflake) ts(t time.Time) string { return "TO_TIMESTAMP_TZ(" + d.Literal(t) + ")" }

// AcquireLease renders one MERGE that takes the lease row name for me until
// `until` when it is free (no row), already mine, or expired at now; it
// affects one row when the lease is taken and none when another holds it.
// Snowflake runs MERGEs on one table one at a time, so of two daemons racing,
// the second sees the first's row and affects none.
func (d Snowflake) AcquireLease(schema, name, me string, now, until time.Time) string {
	c := func(n string) string { return "l." + d.Ident(n) }
	holder, expires, acquired := d.Ident("holder"), d.Ident("expires_at"), d.Ident("acquired_at")
	mine := c("holder") + " = " + d.String(me)
	return "MERGE INTO " + d.Table(schema, "daemon_lease") + " l\nUSING (SELECT " + d.String(name) + " AS " + d.Ident("name") +
		") n\nON " + c("name") + " = n." + d.Ident("name") +
		"\nWHEN MATCHED AND (" + mine + " OR " + c("expires_at") + " < " + d.ts(now) + ") THEN UPDATE SET " +
		holder + " = " + d.String(me) + ", " + expires + " = " + d.ts(until) + ", " +
		acquired + " = IFF(" + mine + ", " + c("acquired_at") + ", " + d.ts(now) + ")" +
		"\nWHEN NOT MATCHED THEN INSERT (" + strings.Join(d.idents(Names(LeaseColumns)), ", ") + ") VALUES (" +
		d.String(name) + ", " + d.String(me) + ", " + d.ts(until) + ", " + d.ts(now) + ")"
}

// LeaseHolder renders the read of who holds the lease and until when (epoch
// microseconds), for an AcquireLease that affected no row.
func (d Snowflake) LeaseHolder(schema, name string) string {
	return "SELECT " + d.Ident("holder") + ", DATE_PART(EPOCH_MICROSECOND, " + d.Ident("expires_at") + ")\nFROM " +
		d.Table(schema, "daemon_lease") + " WHERE " + d.Ident("name") + " = " + d.String(name)
}

// ReleaseLease renders the DELETE of the lease row if me holds it.
func (d Snowflake) ReleaseLease(schema, name, me string) string {
	return "DELETE FROM " + d.Table(schema, "daemon_lease") + " WHERE " + d.Ident("name") + " = " + d.String(name) +
		" AND " + d.Ident("holder") + " = " + d.String(me)
}

// updateRuns renders an UPDATE of sync_runs joined with runs as r.
func (d Snowflake) updateRuns(schema string, runs []RunRef, set, where string) string {
	rows := make([][]any, len(runs))
	for i, r := range runs {
		rows[i] = []any{r.Org, r.Sync, r.Run}
	}
	c := func(n string) string { return "t." + d.Ident(n) }
	return "UPDATE " + d.Table(schema, "sync_runs") + " t SET " + set +
		"\nFROM (SELECT column1 AS " + d.Ident("org") + ", column2 AS " + d.Ident("sync") + ", column3 AS " + d.Ident("run") +
		"\nFROM " + d.Values(rows) + ") r\nWHERE " + c("org_id") + " = r." + d.Ident("org") +
		" AND " + c("sync_configuration_id") + " = r." + d.Ident("sync") + " AND " + c("sync_run_id") + " = r." + d.Ident("run") +
		" AND " + where
}

// ReopenRuns renders the UPDATE that marks runs open again, clearing
// completed_at, where they were not open.
func (d Snowflake) ReopenRuns(schema string, runs []RunRef) string {
	st := d.Ident("state")
	return d.updateRuns(schema, runs, st+" = 'open', "+d.Ident("completed_at")+" = NULL", "t."+st+" IS DISTINCT FROM 'open'")
}

// CompleteRuns renders the UPDATE that marks runs complete at `at` where
// they were not complete.
func (d Snowflake) CompleteRuns(schema string, runs []RunRef, at time.Time) string {
	st := d.Ident("state")
	return d.updateRuns(schema, runs, st+" = 'complete', "+d.Ident("completed_at")+" = "+d.ts(at), "t."+st+" IS DISTINCT FROM 'complete'")
}

// CompleteQuietRuns renders the UPDATE that completes open runs whose folder
// (the run's metadata.json's) had no file loaded since cutoff, and the count
// of runs still open after it.
func (d Snowflake) CompleteQuietRuns(schema string, cutoff, at time.Time) []string {
	runs, l := d.Table(schema, "sync_runs"), d.Table(schema, "load_ledger")
	st, file := d.Ident("state"), d.Ident("_file")
	folder := "LEFT(o." + file + ", LENGTH(o." + file + ") - LENGTH('metadata.json'))"
	last := "(SELECT o." + file + " AS " + d.Ident("f") + ", MAX(l." + d.Ident("loaded_at") + ") AS " + d.Ident("last") +
		"\n  FROM " + runs + " o LEFT JOIN " + l + " l ON STARTSWITH(l." + d.Ident("key") + ", " + folder + ")" +
		"\n  WHERE o." + st + " = 'open' GROUP BY o." + file + ") q"
	return []string{
		"UPDATE " + runs + " t SET " + st + " = 'complete', " + d.Ident("completed_at") + " = " + d.ts(at) +
			"\nFROM " + last + "\nWHERE t." + file + " = q." + d.Ident("f") + " AND t." + st + " = 'open'" +
			" AND COALESCE(q." + d.Ident("last") + ", t." + d.Ident("_loaded_at") + ") < " + d.ts(cutoff),
		"SELECT COUNT(*) FROM " + runs + " WHERE " + st + " = 'open'",
	}
}

// Timestamp renders a time as a TIMESTAMP_TZ literal.
func (d Snowflake) Timestamp(t time.Time) string { return d.ts(t) }
