package sql

import (
	"strings"

	"github.com/synctrack/synctrack/dialects"
)

// CountsInserts renders the two statements that write the per-run counts
// (run_outcome_counts, then run_fingerprint_counts) from the sync_records rows
// aliased r that where selects: the rows a load just inserted, or every row
// for a backfill. where is SQL written by the engine (a filter on r._file and
// the batch's own table or parameters), never input. Each group's _loaded_at
// is its rows' own, so a backfill keeps when the rows came. The outcome is
// sync_log's and the fingerprint the templates' {{ fingerprint }}, so the
// counts answer what a GROUP BY over sync_log would. loadedAt, when not
// empty, is the SQL of the _loaded_at to write instead (external tables
// have no load time of their own).
func CountsInserts(d Dialect, schema, where, loadedAt string) []string {
	outcome := dialects.OutcomeSQL
	if loadedAt == "" {
		loadedAt = "max(_loaded_at)"
	}
	outcomes := "INSERT INTO " + d.Table(schema, dialects.OutcomeCountsTable) + " (" +
		names(dialects.OutcomeCountsColumns) + ")\n" +
		`SELECT org_id, sync_configuration_id, sync_run_id, batch_started_at, max(batch_ended_at),
  outcome, count(*), _file, ` + loadedAt + `
FROM (
  SELECT r.org_id, r.sync_configuration_id, r.sync_run_id, r.batch_started_at, r.batch_ended_at,
    ` + outcome + ` AS outcome, r._file, r._loaded_at
  FROM ` + d.Table(schema, "sync_records") + ` AS r
  WHERE ` + where + `
) AS x
GROUP BY org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, _file`
	fingerprints := "INSERT INTO " + d.Table(schema, dialects.FingerprintCountsTable) + " (" +
		names(dialects.FingerprintCountsColumns) + ")\n" +
		`SELECT org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, fingerprint,
  ` + minText(d, "status_message") + `, count(*), _file, ` + loadedAt + `
FROM (
  SELECT r.org_id, r.sync_configuration_id, r.sync_run_id, r.batch_started_at,
    ` + outcome + ` AS outcome,
    ` + FingerprintSQL(d, "r.status_message") + ` AS fingerprint,
    r.status_message, r._file, r._loaded_at
  FROM ` + d.Table(schema, "sync_records") + ` AS r
  WHERE (` + where + `) AND ` + outcome + ` <> 'success'
) AS x
GROUP BY org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, fingerprint, _file`
	return []string{outcomes, fingerprints}
}

// minText is min(expr) of a text in byte order (Go's, and what DuckDB,
// BigQuery and Snowflake compare by default): a dialect whose text compares
// by a collation says how to compare bytes (ByteOrder). The least message
// of a fingerprint group is then the same on every engine and database, and
// an engine may compute it on the client (PostgreSQL's counts do).
func minText(d Dialect, expr string) string {
	if b, ok := d.(interface{ ByteOrder(expr string) string }); ok {
		expr = b.ByteOrder(expr)
	}
	return "min(" + expr + ")"
}

func names(cols []dialects.Column) string {
	return strings.Join(dialects.Names(cols), ", ")
}

// CountGroups renders a SELECT of the sync_records rows aliased r that where
// selects (as in CountsInserts), grouped as both counts tables group them at
// once: per run, batch start, file, outcome and fingerprint (NULL for
// successes), with each group's rows (records), latest batch end, least
// status_message (NULL for successes) and latest _loaded_at. Both counts
// tables are sums or subsets of these groups (CountsFromGroups), so an engine
// that keeps them in a temporary table reads the rows once instead of twice.
// fingerprint renders the fingerprint of a status_message expression: a
// function of the engine's that equals FingerprintSQL.
func CountGroups(d Dialect, schema, where string, fingerprint func(expr string) string) string {
	return `SELECT org_id, sync_configuration_id, sync_run_id, batch_started_at, max(batch_ended_at) AS batch_ended_at,
  outcome, fingerprint, ` + minText(d, "status_message") + ` AS status_message, count(*) AS records, _file, max(_loaded_at) AS _loaded_at
FROM (
  SELECT org_id, sync_configuration_id, sync_run_id, batch_started_at, batch_ended_at, outcome,
    CASE WHEN outcome <> 'success' THEN ` + fingerprint("status_message") + ` END AS fingerprint,
    CASE WHEN outcome <> 'success' THEN status_message END AS status_message, _file, _loaded_at
  FROM (
    SELECT r.org_id, r.sync_configuration_id, r.sync_run_id, r.batch_started_at, r.batch_ended_at,
      ` + quickOutcome + ` AS outcome, r.status_message, r._file, r._loaded_at
    FROM ` + d.Table(schema, "sync_records") + ` AS r
    WHERE ` + where + `
  ) AS x
) AS y
GROUP BY org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, fingerprint, _file`
}

// quickOutcome is dialects.OutcomeSQL with the vendor's two spellings
// compared first: lower() of every row's status was a fifth of the grouping's
// cost, and only the other statuses (NULL, DUPLICATE, a case variant) need it.
const quickOutcome = "CASE WHEN r.status = 'succeeded' THEN 'success' WHEN r.status = 'rejected' THEN 'rejected' ELSE " +
	dialects.OutcomeSQL + " END"

// CountsFromGroups renders the two INSERTs of CountsInserts reading the
// table groups, which holds CountGroups' rows.
func CountsFromGroups(d Dialect, schema, groups string) []string {
	return []string{
		"INSERT INTO " + d.Table(schema, dialects.OutcomeCountsTable) + " (" + names(dialects.OutcomeCountsColumns) + ")\n" +
			`SELECT org_id, sync_configuration_id, sync_run_id, batch_started_at, max(batch_ended_at),
  outcome, ` + d.Sum("records") + `, _file, max(_loaded_at)
FROM ` + groups + `
GROUP BY org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, _file`,
		"INSERT INTO " + d.Table(schema, dialects.FingerprintCountsTable) + " (" + names(dialects.FingerprintCountsColumns) + ")\n" +
			`SELECT org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, fingerprint,
  status_message, records, _file, _loaded_at
FROM ` + groups + `
WHERE outcome <> 'success'`,
	}
}

// CountsDeletes renders the statements that empty both counts tables (WHERE
// TRUE: BigQuery wants a WHERE on every DELETE).
func CountsDeletes(d Dialect, schema string) []string {
	var out []string
	for _, t := range dialects.CountsTables() {
		out = append(out, "DELETE FROM "+d.Table(schema, t.Name)+" WHERE TRUE")
	}
	return out
}

// CountsRefill renders a backfill of the counts of a schema made before
// them: both tables emptied, then filled from the rows where selects (where
// and loadedAt as in CountsInserts). The engine runs them in one
// transaction, so a failure leaves the counts empty and the next open fills
// them again.
func CountsRefill(d Dialect, schema, where, loadedAt string) []string {
	return append(CountsDeletes(d, schema), CountsInserts(d, schema, where, loadedAt)...)
}
