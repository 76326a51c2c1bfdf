package dialects

import "strings"

// ReplaceRuns renders the statements that replace the sync_runs rows of a
// batch of metadata.json files from the runs array (RunsType), for
// Transaction.
func (d BigQuery) ReplaceRuns(dataset string, in BQBatch) []string {
	t := d.Table(dataset, "sync_runs")
	cols := Names(RunsColumns)
	quoted := make([]string, len(cols))
	sel := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = d.Ident(c)
		switch c {
		case "payload_schema", "metadata":
			sel[i] = "COALESCE(SAFE.PARSE_JSON(r." + d.Ident(c) + "), TO_JSON(r." + d.Ident(c) + "))"
		case "_loaded_at":
			sel[i] = in.LoadedAt
		default:
			sel[i] = "r." + d.Ident(c)
		}
	}
	// A run (re)loaded is open, as DuckDB's column default makes it.
	quoted, sel = append(quoted, d.Ident("state")), append(sel, "'open'")
	return append([]string{
		"DELETE FROM " + t + " WHERE _file IN (SELECT r._file FROM UNNEST(" + in.Runs + ") r)",
		"INSERT INTO " + t + " (" + strings.Join(quoted, ", ") + ")\nSELECT " + strings.Join(sel, ", ") + "\nFROM UNNEST(" + in.Runs + ") r",
	}, d.WriteLedger(dataset, in.Ledger)...)
}

// ReplacePayloadColumns renders the statements that replace the catalog rows
// of the syncs in Syncs with the columns array (ColumnsType), for Transaction.
func (d BigQuery) ReplacePayloadColumns(dataset string, in BQBatch) []string {
	t := d.Table(dataset, "payload_columns")
	return []string{
		"DELETE FROM " + t + " WHERE sync_configuration_id IN UNNEST(" + in.Syncs + ")",
		"INSERT INTO " + t + " (sync_configuration_id, view_name, field_name, column_name, column_type)\n" +
			"SELECT c.sync_configuration_id, c.view_name, c.field_name, c.column_name, c.column_type FROM UNNEST(" + in.Columns + ") c",
	}
}

// RunsType is the type of the runs array: sync_runs' columns but the last,
// the two JSON columns as text.
const RunsType = "ARRAY<STRUCT<org_id STRING, workspace_id STRING, sync_configuration_id STRING, sync_run_id STRING, " +
	"source_type STRING, source_object_id STRING, destination_type STRING, destination_id STRING, " +
	"destination_object_id STRING, started_at TIMESTAMP, payload_schema STRING, metadata STRING, _file STRING>>"

// ColumnsType is the type of the payload_columns array.
const ColumnsType = "ARRAY<STRUCT<sync_configuration_id STRING, view_name STRING, field_name STRING, " +
	"column_name STRING, column_type STRING>>"
