package dialects

import (
	"slices"
	"strings"
)

// bqTypes maps the DuckDB types of our own tables to BigQuery's.
var bqTypes = map[string]string{
	"VARCHAR": "STRING", "JSON": "JSON", "TIMESTAMPTZ": "TIMESTAMP",
	"BIGINT": "INT64", "INTEGER": "INT64", "DOUBLE": "FLOAT64", "BOOLEAN": "BOOL",
}

// BigQueryColumns returns cols with BigQuery types: the same names and order as
// on DuckDB, so dashboards and templates see one contract.
func BigQueryColumns(cols []Column) []Column {
	out := make([]Column, len(cols))
	for i, c := range cols {
		t, ok := bqTypes[c.Type]
		if !ok {
			t = "STRING"
		}
		out[i] = Column{c.Name, t}
	}
	return out
}

// BigQueryTables lists every table synctrack owns in a dataset, with its
// BigQuery columns. Tables are created through the API, not DDL, so that an
// existing table is told apart from a failure. sync_runs has the daemon's run
// state columns and daemon_lease is the daemon's lease, made with the rest.
func BigQueryTables() map[string][]Column {
	t := map[string][]Column{
		"sync_records":    BigQueryColumns(RecordsColumns),
		"sync_runs":       BigQueryColumns(append(append([]Column(nil), RunsColumns...), RunStateColumns...)),
		"daemon_lease":    BigQueryColumns(LeaseColumns),
		"load_ledger":     BigQueryColumns(LedgerColumns),
		"payload_columns": BigQueryColumns(PayloadColumnsColumns),
	}
	for name := range FactColumns {
		t[name] = BigQueryColumns(factTableColumns(name))
	}
	for _, c := range CountsTables() {
		t[c.Name] = BigQueryColumns(c.Columns)
	}
	return t
}

// SyncLogView renders sync_log for BigQuery; see DuckDB.SyncLogView. records
// names the relation holding the records: the sync_records table in loaded
// mode, the view over the external table in external mode.
func (d BigQuery) SyncLogView(dataset string) string {
	return `CREATE OR REPLACE VIEW ` + d.Table(dataset, "sync_log") + ` AS
SELECT
  TO_HEX(MD5(CONCAT(r._file, '#', CAST(r._row AS STRING)))) AS log_id,
  r.sync_configuration_id AS sync_id,
  r.sync_run_id,
  r.identifier AS record_identifier,
  r.record_payload,
  r.batch_started_at,
  r.batch_ended_at AS batch_completed_at,
  r.operation,
  r.status,
  r.status_message,
  m.source_object_id,
  m.destination_id,
  m.destination_object_id,
  r.org_id,
  m.workspace_id,
  CASE LOWER(r.status) WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END AS outcome,
  r._file,
  r._row
FROM ` + d.Table(dataset, "sync_records") + ` r
LEFT JOIN ` + d.Table(dataset, "sync_runs") + ` m
  ON m.org_id = r.org_id AND m.sync_configuration_id = r.sync_configuration_id AND m.sync_run_id = r.sync_run_id`
}

// LedgerType is the type of the ledger array that WriteLedger reads:
// the rows to write, in load_ledger's column order.
const LedgerType = "ARRAY<STRUCT<key STRING, etag STRING, size INT64, kind STRING, status STRING, " +
	"`rows` INT64, error STRING, attempts INT64, first_seen_at TIMESTAMP, loaded_at TIMESTAMP>>"

// WriteLedger renders the statements that upsert the ledger array (Array of
// LedgerType) into load_ledger, as
// DuckDB's ledger does: a newer version of a key makes its failed versions,
// and when it loaded its loaded versions too, "replaced"; a version seen
// before keeps its first_seen_at (and, written as deleted, its size, rows
// and loaded_at: LedgerSet). Three plain DML statements rather than one
// MERGE, whose source the emulator only takes as a table.
func (d BigQuery) WriteLedger(dataset, ledger string) []string {
	l := d.Table(dataset, "load_ledger")
	q := d.Ident // ROWS is a reserved word: quote every column
	cols := Names(LedgerColumns)
	quoted := make([]string, len(cols))
	sel := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = q(c)
		sel[i] = "n." + q(c)
		switch {
		case c == "first_seen_at":
			sel[i] = "COALESCE(s." + q(c) + ", n." + q(c) + ")"
		case slices.Contains(DeletedKeeps, c):
			// A deleted row is always of a version the ledger has
			// (the loader marks ledger rows deleted): s has it.
			sel[i] = LedgerSet(d, c, "n", "s")
		}
	}
	same := func(a, b string) string {
		return a + "." + q("key") + " = " + b + "." + q("key") + " AND " + a + "." + q("etag") + " = " + b + "." + q("etag")
	}
	// Uncorrelated IN over etag/key (an etag never holds "/"): the emulator
	// resolves a correlated column named key to its own internals.
	version := func(a string) string { return "CONCAT(" + a + "." + q("etag") + ", '/', " + a + "." + q("key") + ")" }
	inBatch := version("o") + " IN (SELECT " + version("n") + " FROM UNNEST(" + ledger + ") n)"
	keys := func(cond string) string {
		return "o." + q("key") + " IN (SELECT n." + q("key") + " FROM UNNEST(" + ledger + ") n" + cond + ")"
	}
	st := "o." + q("status")
	var kept string
	for _, c := range DeletedKeeps {
		kept += ", o." + q(c)
	}
	return []string{
		"UPDATE " + l + " o SET " + q("status") + " = 'replaced'\nWHERE ((" + st + " IN ('failed', 'quarantined') AND " + keys("") + ")\n  OR (" +
			st + " = 'loaded' AND " + keys(" WHERE n."+q("status")+" = 'loaded'") + "))\n  AND NOT " + inBatch,
		"CREATE TEMP TABLE _st_seen AS SELECT o." + q("key") + ", o." + q("etag") + ", o." + q("first_seen_at") + kept +
			" FROM " + l + " o WHERE " + inBatch,
		"DELETE FROM " + l + " o WHERE " + inBatch,
		"INSERT INTO " + l + " (" + strings.Join(quoted, ", ") + ")\nSELECT " + strings.Join(sel, ", ") +
			"\nFROM UNNEST(" + ledger + ") n LEFT JOIN _st_seen s ON " + same("s", "n"),
	} // the temp table goes when the script ends: one WriteLedger per script
}

// Transaction wraps statements in one multi-statement transaction: all of
// them apply or, on any error, none.
func (BigQuery) Transaction(stmts ...string) string {
	return "BEGIN TRANSACTION;\n" + strings.Join(stmts, ";\n") + ";\nCOMMIT TRANSACTION;"
}

// BigQuery lays sync_records out by day of batch_started_at, clustered by
// sync, run and status: the filters of a record page, and retention's.
var (
	BigQueryPartitionColumn = "batch_started_at"
	BigQueryClusterColumns  = []string{"sync_configuration_id", "sync_run_id", "status"}
)
