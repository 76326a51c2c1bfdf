package dialects

import "strings"

// snowflakeTypes maps the column types of the shared table definitions
// (written for DuckDB) to Snowflake's.
var snowflakeTypes = map[string]string{
	"VARCHAR": "VARCHAR", "JSON": "VARIANT", "TIMESTAMPTZ": "TIMESTAMP_TZ",
	"BIGINT": "NUMBER(38,0)", "INTEGER": "NUMBER(38,0)", "DOUBLE": "DOUBLE", "BOOLEAN": "BOOLEAN",
}

// SnowflakeType returns the Snowflake type for a shared column type.
func SnowflakeType(t string) string {
	if s, ok := snowflakeTypes[t]; ok {
		return s
	}
	return "VARIANT"
}

// CreateTable renders CREATE TABLE IF NOT EXISTS. evolve lets COPY with
// MATCH_BY_COLUMN_NAME add the columns a file brings instead of failing.
func (d Snowflake) CreateTable(schema, table string, cols []Column, evolve bool) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = d.Ident(c.Name) + " " + SnowflakeType(c.Type)
	}
	s := "CREATE TABLE IF NOT EXISTS " + d.Table(schema, table) + " (\n  " + strings.Join(parts, ",\n  ") + "\n)"
	if evolve {
		s += "\nENABLE_SCHEMA_EVOLUTION = TRUE"
	}
	return s
}

// FactTableColumns are a fact table's columns before its files add theirs.
func FactTableColumns(table string) []Column { return factTableColumns(table) }

// Setup renders the schema, the tables and the views a new Snowflake schema
// needs, in order, the daemon's (DaemonTables) included. With external set,
// sync_records is a view over the external table (ExternalTable) instead of a
// table, so ExternalTable comes first.
func (d Snowflake) Setup(schema string, stage []string, external bool) []string {
	stmts := []string{"CREATE SCHEMA IF NOT EXISTS " + d.Ident(schema)}
	if external {
		stmts = append(stmts, d.ExternalTable(schema, stage), d.ExternalRecordsView(schema), d.CreateCheckTable(schema))
	} else {
		stmts = append(stmts, d.CreateTable(schema, "sync_records", RecordsColumns, true))
	}
	stmts = append(stmts,
		d.CreateTable(schema, "sync_runs", RunsColumns, false),
		d.CreateTable(schema, "load_ledger", LedgerColumns, false),
		d.CreateTable(schema, "payload_columns", PayloadColumnsColumns, false))
	for _, t := range []string{"destination_objects", "destinations", "source_objects"} {
		stmts = append(stmts, d.CreateTable(schema, t, factTableColumns(t), true))
	}
	for _, t := range CountsTables() {
		stmts = append(stmts, d.CreateTable(schema, t.Name, t.Columns, false))
	}
	stmts = append(stmts, d.DaemonTables(schema)...)
	return append(stmts, d.SyncLogView(schema))
}

// CreateStage renders the external stage over the bucket root, reached
// through a storage integration, so no bucket credential is ever in SQL.
func (d Snowflake) CreateStage(stage []string, url, integration string) string {
	return "CREATE STAGE IF NOT EXISTS " + d.Path(stage...) + "\n  URL = " + d.String(url) +
		"\n  STORAGE_INTEGRATION = " + d.Quote(integration) + "\n  " + ParquetFormat
}

// Path quotes a dotted object name (db.schema.stage), one part at a time,
// each exactly as given: its parts are names already resolved as Snowflake
// resolves them (see SnowflakeName).
func (d Snowflake) Path(parts ...string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = d.Quote(p)
	}
	return strings.Join(q, ".")
}

// SyncLogView renders sync_log: records joined with their run's metadata,
// under the vendor's log view column names, plus ours.
func (d Snowflake) SyncLogView(schema string) string {
	c := func(alias, name string) string { return alias + "." + d.Ident(name) }
	return "CREATE OR REPLACE VIEW " + d.Table(schema, "sync_log") + " AS\nSELECT\n  " + strings.Join([]string{
		"MD5(" + c("r", "_file") + " || '#' || " + c("r", "_row") + "::VARCHAR) AS " + d.Ident("log_id"),
		c("r", "sync_configuration_id") + " AS " + d.Ident("sync_id"),
		c("r", "sync_run_id"),
		c("r", "identifier") + " AS " + d.Ident("record_identifier"),
		c("r", "record_payload"),
		c("r", "batch_started_at"),
		c("r", "batch_ended_at") + " AS " + d.Ident("batch_completed_at"),
		c("r", "operation"), c("r", "status"), c("r", "status_message"),
		c("m", "source_object_id"), c("m", "destination_id"), c("m", "destination_object_id"),
		c("r", "org_id"), c("m", "workspace_id"),
		"CASE LOWER(" + c("r", "status") + ") WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END AS " + d.Ident("outcome"),
		c("r", "_file"), c("r", "_row"),
	}, ",\n  ") + "\nFROM " + d.Table(schema, "sync_records") + " r\nLEFT JOIN " + d.Table(schema, "sync_runs") +
		" m\n  ON " + c("m", "org_id") + " = " + c("r", "org_id") +
		" AND " + c("m", "sync_configuration_id") + " = " + c("r", "sync_configuration_id") +
		" AND " + c("m", "sync_run_id") + " = " + c("r", "sync_run_id")
}
