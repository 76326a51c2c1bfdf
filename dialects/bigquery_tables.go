package dialects

import "strings"

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
// existing table is told apart from a failure.
func BigQueryTables() map[string][]Column {
	t := map[string][]Column{
		"sync_records":    BigQueryColumns(RecordsColumns),
		"sync_runs":       BigQueryColumns(RunsColumns),
		"load_ledger":     BigQueryColumns(LedgerColumns),
		"payload_columns": BigQueryColumns(PayloadColumnsColumns),
	}
	for name := range FactColumns {
		t[name] = BigQueryColumns(factTableColumns(name))
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
  r._file
FROM ` + d.Table(dataset, "sync_records") + ` r
LEFT JOIN ` + d.Table(dataset, "sync_runs") + ` m
  ON m.org_id = r.org_id AND m.sync_configuration_id = r.sync_configuration_id AND m.sync_run_id = r.sync_run_id`
}

// LedgerParamType is the type of the @ledger parameter that WriteLedger reads:
// the rows to write, in load_ledger's column order.
const LedgerParamType = "ARRAY<STRUCT<key STRING, etag STRING, size INT64, kind STRING, status STRING, " +
	"rows INT64, error STRING, attempts INT64, first_seen_at TIMESTAMP, loaded_at TIMESTAMP>>"

// WriteLedger renders the statements that upsert @ledger into load_ledger, as
// DuckDB's ledger does: a newer version of a key makes its failed versions,
// and when it loaded its loaded versions too, "replaced"; a version seen
// before keeps its first_seen_at. Three plain DML statements rather than one
// MERGE, whose source the emulator only takes as a table.
func (d BigQuery) WriteLedger(dataset string) []string {
	l := d.Table(dataset, "load_ledger")
	q := d.Ident // ROWS is a reserved word: quote every column
	cols := names(LedgerColumns)
	set := make([]string, 0, len(cols))
	for _, c := range cols[2:] {
		if c != "first_seen_at" {
			set = append(set, q(c)+" = n."+q(c))
		}
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = q(c)
	}
	same := "o." + q("key") + " = n." + q("key") + " AND o." + q("etag") + " = n." + q("etag")
	return []string{
		`UPDATE ` + l + ` o SET ` + q("status") + ` = 'replaced'
WHERE EXISTS (SELECT 1 FROM UNNEST(@ledger) n WHERE n.` + q("key") + ` = o.` + q("key") + ` AND n.` + q("etag") + ` <> o.` + q("etag") + `
  AND (o.` + q("status") + ` = 'failed' OR (o.` + q("status") + ` = 'loaded' AND n.` + q("status") + ` = 'loaded')))`,
		`UPDATE ` + l + ` o SET ` + strings.Join(set, ", ") + `
FROM UNNEST(@ledger) n WHERE ` + same,
		`INSERT INTO ` + l + ` (` + strings.Join(quoted, ", ") + `)
SELECT n.* FROM UNNEST(@ledger) n
WHERE NOT EXISTS (SELECT 1 FROM ` + l + ` o WHERE ` + same + `)`,
	}
}

// Transaction wraps statements in one multi-statement transaction: all of
// them apply or, on any error, none.
func (BigQuery) Transaction(stmts ...string) string {
	return "BEGIN TRANSACTION;\n" + strings.Join(stmts, ";\n") + ";\nCOMMIT TRANSACTION;"
}
