package dialects

import (
	"strings"
	"unicode"
)

// sfViewTypes maps payload types to the Snowflake type of a typed view column.
var sfViewTypes = map[string]string{"string": "VARCHAR", "number": "DOUBLE", "boolean": "BOOLEAN", "json": "VARIANT"}

// TypedView renders the typed view of one sync: sync_records' base columns
// plus each payload field read from the VARIANT record_payload. Numbers and
// booleans go through TRY_TO_*, so one bad value is a NULL cell, not a failed
// query.
func (d Snowflake) TypedView(schema, view, syncID string, base []string, cols []PayloadColumn) string {
	sel := make([]string, 0, len(base)+len(cols))
	for _, c := range base {
		sel = append(sel, d.Ident(c))
	}
	for _, c := range cols {
		sel = append(sel, d.payloadExpr(c)+" AS "+d.Ident(c.Column))
	}
	return "CREATE OR REPLACE VIEW " + d.Table(schema, view) + " AS\nSELECT\n\t" + strings.Join(sel, ",\n\t") +
		"\nFROM " + d.Table(schema, "sync_records") + "\nWHERE " + d.Ident("sync_configuration_id") + " = " + d.String(syncID)
}

func (d Snowflake) payloadExpr(c PayloadColumn) string {
	typ := NormalizeType(c.Type)
	if !addressable(c.Field) {
		return "NULL::" + sfViewTypes[typ]
	}
	v := d.field(d.Ident("record_payload"), c.Field)
	switch typ {
	case "string":
		return v + "::VARCHAR"
	case "number":
		return "TRY_TO_DOUBLE(" + v + "::VARCHAR)"
	case "boolean":
		return "TRY_TO_BOOLEAN(" + v + "::VARCHAR)"
	}
	return v
}

// field reads one top-level key of a VARIANT: col:"key" for keys that need no
// escape inside a double-quoted path element, col['key'] (a string literal,
// escaped by String) for every other key. Keys are case-sensitive either way.
func (d Snowflake) field(col, key string) string {
	if key != "" && strings.IndexFunc(key, func(r rune) bool {
		return r == '"' || r == '\\' || r == '\'' || !unicode.IsPrint(r)
	}) < 0 {
		return col + `:"` + key + `"`
	}
	return col + "[" + d.String(key) + "]"
}

// ExternalTable renders the external table over the stage's run folders.
// Partition columns come from the file path, so a REFRESH of one run folder
// registers just that folder and queries by org, sync or run prune files.
func (d Snowflake) ExternalTable(schema string, stage []string) string {
	p := d.PathColumns("METADATA$FILENAME")
	return "CREATE EXTERNAL TABLE IF NOT EXISTS " + d.Table(schema, "sync_records_external") + " (\n  " +
		d.Ident("org_id") + " VARCHAR AS (" + p["org_id"] + "),\n  " +
		d.Ident("sync_id") + " VARCHAR AS (" + p["sync_configuration_id"] + "),\n  " +
		d.Ident("run_id") + " VARCHAR AS (" + p["sync_run_id"] + ")\n)" +
		"\nPARTITION BY (" + d.Ident("org_id") + ", " + d.Ident("sync_id") + ", " + d.Ident("run_id") + ")" +
		"\nLOCATION = @" + d.Path(stage...) + "/sync_tracking_datasets/" +
		"\nPATTERN = '.*[.]parquet'\n" + ParquetFormat + "\nAUTO_REFRESH = FALSE"
}

// AutoRefreshExternal turns on the external table's AUTO_REFRESH: Snowflake
// then refreshes it on the bucket's event notifications.
func (d Snowflake) AutoRefreshExternal(schema string) string {
	return "ALTER EXTERNAL TABLE " + d.Table(schema, "sync_records_external") + " SET AUTO_REFRESH = TRUE"
}

// ShowExternal renders the SHOW that reports the external table's
// notification_channel (the queue the bucket's events must go to).
func (d Snowflake) ShowExternal(schema string) string {
	return "SHOW EXTERNAL TABLES LIKE " + d.String(SnowflakeName("sync_records_external")) + " IN SCHEMA " + d.Ident(schema)
}

// RefreshExternal renders the refresh of one run folder, given relative to
// the external table's location (ORG/SYNC/RUN/).
func (d Snowflake) RefreshExternal(schema, folder string) string {
	return "ALTER EXTERNAL TABLE " + d.Table(schema, "sync_records_external") + " REFRESH " + d.String(folder)
}

// ExternalRecordsView renders sync_records as a view over the external table,
// with the same columns and types as the loaded table. A file's columns are
// found whatever their case, as COPY's MATCH_BY_COLUMN_NAME =
// CASE_INSENSITIVE finds them in loaded mode (a file with Record_Payload
// fills record_payload in both modes): GET_IGNORE_CASE "is similar to GET but
// applies case-insensitive matching to field names"
// (https://docs.snowflake.com/en/sql-reference/functions/get_ignore_case),
// where "VALUE":"record_payload" would match the exact case only. Timestamps
// go through text: with USE_LOGICAL_TYPE a parquet timestamp is a timestamp,
// and a bare integer becomes seconds, milliseconds, microseconds or
// nanoseconds by its magnitude, as TO_TIMESTAMP reads an integer string
// (https://docs.snowflake.com/en/sql-reference/functions/to_date#usage-notes).
func (d Snowflake) ExternalRecordsView(schema string) string {
	val := func(k string) string { return "GET_IGNORE_CASE(" + d.Ident("value") + ", " + d.String(k) + ")" }
	str := func(k string) string { return val(k) + "::VARCHAR" }
	ts := func(k string) string { return "TRY_TO_TIMESTAMP_TZ(" + str(k) + ")" }
	p := d.PathColumns("METADATA$FILENAME")
	sel := []string{
		str("identifier"),
		"COALESCE(TRY_PARSE_JSON(" + str("record_payload") + "), " + val("record_payload") + ")",
		str("operation"), str("status"), str("status_message"),
		ts("batch_started_at"), ts("batch_ended_at"),
		"COALESCE(" + str("sync_configuration_id") + ", " + d.Ident("sync_id") + ")",
		"COALESCE(" + str("sync_run_id") + ", " + d.Ident("run_id") + ")",
		"COALESCE(" + str("org_id") + ", " + d.Ident("org_id") + ")",
		p["batch_type"], p["batch_number"],
		"METADATA$FILENAME", "METADATA$FILE_ROW_NUMBER - 1", "NULL::VARIANT", "NULL::TIMESTAMP_TZ",
	}
	for i, c := range RecordsColumns {
		sel[i] += " AS " + d.Ident(c.Name)
	}
	return "CREATE OR REPLACE VIEW " + d.Table(schema, "sync_records") + " AS\nSELECT\n  " + strings.Join(sel, ",\n  ") +
		"\nFROM " + d.Table(schema, "sync_records_external")
}

// CheckTable is the one-VARIANT-column table external mode validates new
// files against: COPY with VALIDATION_MODE loads nothing into it, and it
// cannot match columns by name (MATCH_BY_COLUMN_NAME "can't be used with the
// VALIDATION_MODE parameter"), so each row lands whole in one VARIANT.
const CheckTable = "load_check"

// CreateCheckTable renders CheckTable's DDL.
func (d Snowflake) CreateCheckTable(schema string) string {
	return d.CreateTable(schema, CheckTable, []Column{{Name: "v", Type: "JSON"}}, false)
}

// ValidateFiles renders a COPY that reads at most MaxCopyFiles files the
// way the external table reads them and loads nothing: VALIDATION_MODE =
// RETURN_ERRORS "Returns all errors (parsing, conversion, etc.) across all
// files specified in the COPY statement", one row each with its FILE
// (https://docs.snowflake.com/en/sql-reference/sql/copy-into-table).
func (d Snowflake) ValidateFiles(schema string, stage, keys []string) string {
	if len(keys) > MaxCopyFiles {
		panic("dialects: COPY INTO lists at most 1000 files")
	}
	files := make([]string, len(keys))
	for i, k := range keys {
		files[i] = d.String(k)
	}
	return "COPY INTO " + d.Table(schema, CheckTable) + "\nFROM @" + d.Path(stage...) +
		"\nFILES = (" + strings.Join(files, ",\n  ") + ")\n" + ParquetFormat + "\nVALIDATION_MODE = RETURN_ERRORS"
}
