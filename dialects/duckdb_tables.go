package dialects

import "strings"

// Column is one column of a table we own: its name and engine type.
type Column struct{ Name, Type string }

// RecordsColumns are sync_records' columns in DuckDB, in order. _row (the row's
// number in its file) and _extra (columns we do not know, as JSON) are ours too.
var RecordsColumns = []Column{
	{"identifier", "VARCHAR"}, {"record_payload", "JSON"}, {"operation", "VARCHAR"},
	{"status", "VARCHAR"}, {"status_message", "VARCHAR"},
	{"batch_started_at", "TIMESTAMPTZ"}, {"batch_ended_at", "TIMESTAMPTZ"},
	{"sync_configuration_id", "VARCHAR"}, {"sync_run_id", "VARCHAR"}, {"org_id", "VARCHAR"},
	{"batch_type", "VARCHAR"}, {"batch_number", "BIGINT"},
	{"_file", "VARCHAR"}, {"_row", "BIGINT"}, {"_extra", "JSON"}, {"_loaded_at", "TIMESTAMPTZ"},
}

// recordsCompression fixes the storage compression of sync_records' columns
// whose values are distinct on nearly every row. Left to itself DuckDB tries
// a dictionary on every segment of them first, which cost about a sixth of a
// large load and never wins there: FSST is what it picks in the end anyway.
// status_message and _extra are left to DuckDB: their values often repeat,
// and a dictionary then makes both the file and the rejection queries
// cheaper. DuckDB keeps the choice in its catalog, so later loads use it
// too; tables made before this keep DuckDB's choice (only slower to load).
var recordsCompression = map[string]string{"identifier": "fsst", "record_payload": "fsst"}

// countsCompression fixes the compression of the counts tables' strings. A
// load of small files writes some 14 counts rows a file, and DuckDB's
// checkpoint analysing each way to compress them (FSST among them) was a
// tenth to a sixth of what the counts cost such a load (BENCHMARKS.md, "What
// the counts' cost on small files is made of"). The ids, outcome, fingerprint and
// _file repeat from row to row: a dictionary, which DuckDB chose anyway. The
// example message is mostly distinct: stored as it is (2-3% more file on
// small files, none that shows on large ones). Like sync_records' FSST,
// `dictionary` is a method DuckDB only writes in its default storage format
// (v0.10.2); a database file made with STORAGE_VERSION v1.3.0 or later
// refuses both at CREATE (it has dict_fsst instead): there the tables are
// made with DuckDB's own choice (FreeCompression).
var countsCompression = map[string]string{
	"org_id": "dictionary", "sync_configuration_id": "dictionary", "sync_run_id": "dictionary",
	"outcome": "dictionary", "fingerprint": "dictionary", "_file": "dictionary", "status_message": "uncompressed",
}

// IdentifierKeyColumn is the last column of sync_records in DuckDB only: a
// 32-bit hash of identifier (IdentifierKey), so that the record search reads
// 4 bytes a row and decompresses the identifiers of the few vectors whose key
// matches, instead of every identifier of the table (BENCHMARKS.md, "Web
// pages"). Not part of the contract shared with the other engines: they
// have no per-request cold scan to spare (Postgres can index, the cloud
// engines bill bytes), and no view or dbt model shows it.
const IdentifierKeyColumn = "_identifier_hash"

// IdentifierKey renders the key of a VARCHAR expression: the high half of
// DuckDB's hash, called by its qualified name so that a macro named hash in
// the user's file cannot stand in for it.
func (DuckDB) IdentifierKey(expr string) string {
	return "CAST(system.main.hash(" + expr + ") >> 32 AS UINTEGER)"
}

// IdentifierKeyStamp renders, as SQL, the text kept as the comment of
// IdentifierKeyColumn: the keys of fixed strings, as the DuckDB computing it
// hashes them. DuckDB does not promise its hash across versions; a reader
// whose own stamp differs does not use the keys (they would miss rows), and
// a writer whose stamp differs computes them again. The probes cover each
// way DuckDB may hash a string: empty, inlined (up to 12 bytes) and not,
// short and long, ASCII and not.
func (d DuckDB) IdentifierKeyStamp() string {
	keys := make([]string, len(identifierKeyProbes))
	for i, p := range identifierKeyProbes {
		keys[i] = "CAST(" + d.IdentifierKey("CAST("+d.String(p)+" AS VARCHAR)") + " AS VARCHAR)"
	}
	return "'synctrack identifier key v2: ' || concat_ws(' ', " + strings.Join(keys, ", ") + ")"
}

var identifierKeyProbes = []string{"", "synctrac", "synctrack-12", "synctrack-13", "6f1c2d3e-0a4b-4c5d-8e9f-a0b1c2d3e4f5",
	strings.Repeat("synctrack identifier ", 4), "é🙂 ünïcode ключ 识别"}

// duckDBRecordsColumns are sync_records' columns as DuckDB stores them:
// the contract's and the identifier key, which stays last: the records
// INSERT lists no columns (so an older synctrack, which would leave the key
// NULL, fails to load a file that has it instead of writing rows the search
// cannot find), and a file made before gets it by ALTER TABLE ADD COLUMN,
// which appends.
var duckDBRecordsColumns = append(RecordsColumns[:len(RecordsColumns):len(RecordsColumns)], Column{IdentifierKeyColumn, "UINTEGER"})

// RunsColumns are sync_runs' columns in DuckDB, in order.
var RunsColumns = []Column{
	{"org_id", "VARCHAR"}, {"workspace_id", "VARCHAR"}, {"sync_configuration_id", "VARCHAR"},
	{"sync_run_id", "VARCHAR"}, {"source_type", "VARCHAR"}, {"source_object_id", "VARCHAR"},
	{"destination_type", "VARCHAR"}, {"destination_id", "VARCHAR"}, {"destination_object_id", "VARCHAR"},
	{"started_at", "TIMESTAMPTZ"}, {"payload_schema", "JSON"}, {"metadata", "JSON"},
	{"_file", "VARCHAR"}, {"_loaded_at", "TIMESTAMPTZ"},
}

// LedgerColumns are load_ledger's columns, in order.
var LedgerColumns = []Column{
	{"key", "VARCHAR"}, {"etag", "VARCHAR"}, {"size", "BIGINT"}, {"kind", "VARCHAR"},
	{"status", "VARCHAR"}, {"rows", "BIGINT"}, {"error", "VARCHAR"}, {"attempts", "INTEGER"},
	{"first_seen_at", "TIMESTAMPTZ"}, {"loaded_at", "TIMESTAMPTZ"},
}

// PayloadColumnsColumns are payload_columns' columns: the catalog of typed views.
var PayloadColumnsColumns = []Column{
	{"sync_configuration_id", "VARCHAR"}, {"view_name", "VARCHAR"}, {"field_name", "VARCHAR"},
	{"column_name", "VARCHAR"}, {"column_type", "VARCHAR"},
}

// FactColumns are the columns each fact table always has, whatever its files
// hold; files add their own. All ids are text so they join with sync_runs.
var FactColumns = map[string][]string{
	"source_objects":      {"id", "type", "name", "model_id", "business_object_id", "filter_segment_id", "cohort_id"},
	"destinations":        {"id", "type", "name"},
	"destination_objects": {"id", "type", "name"},
}

// FactOwnColumns are added to each fact row by the loader.
var FactOwnColumns = []Column{{"org_id", "VARCHAR"}, {"_file", "VARCHAR"}, {"_loaded_at", "TIMESTAMPTZ"}}

// Table returns schema.table, quoted.
func (d DuckDB) Table(schema, table string) string { return d.Ident(schema) + "." + d.Ident(table) }

// CreateTable renders CREATE TABLE IF NOT EXISTS for columns.
func (d DuckDB) CreateTable(schema, table string, cols []Column) string {
	return d.createTable(schema, table, cols, nil)
}

// createTable renders CREATE TABLE IF NOT EXISTS, fixing the compression of
// the columns named in compress.
func (d DuckDB) createTable(schema, table string, cols []Column, compress map[string]string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = d.Ident(c.Name) + " " + c.Type
		if m := compress[c.Name]; m != "" && (!d.FreeCompression || m == "uncompressed") {
			parts[i] += " USING COMPRESSION " + m
		}
	}
	return "CREATE TABLE IF NOT EXISTS " + d.Table(schema, table) + " (\n  " + strings.Join(parts, ",\n  ") + "\n)"
}

// Setup renders everything a new DuckDB schema needs, in order.
func (d DuckDB) Setup(schema string) []string {
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS " + d.Ident(schema),
		d.createTable(schema, "sync_records", duckDBRecordsColumns, recordsCompression),
		d.CreateTable(schema, "sync_runs", RunsColumns),
		// The run state columns, as the other engines make sync_runs with
		// them: a schema only synctrack load writes has them too (the dbt
		// staging model and the pages read them), and one made before
		// gets them at its next load.
		"ALTER TABLE " + d.Table(schema, "sync_runs") + " ADD COLUMN IF NOT EXISTS state VARCHAR DEFAULT 'open'",
		"ALTER TABLE " + d.Table(schema, "sync_runs") + " ADD COLUMN IF NOT EXISTS completed_at TIMESTAMPTZ",
		d.CreateTable(schema, "load_ledger", LedgerColumns),
		d.CreateTable(schema, "payload_columns", PayloadColumnsColumns),
	}
	for _, t := range []string{"source_objects", "destinations", "destination_objects"} {
		stmts = append(stmts, d.CreateTable(schema, t, factTableColumns(t)))
	}
	for _, t := range CountsTables() {
		stmts = append(stmts, d.createTable(schema, t.Name, t.Columns, countsCompression))
	}
	return append(stmts, d.SyncLogView(schema))
}

func factTableColumns(t string) []Column {
	var cols []Column
	for _, c := range FactColumns[t] {
		cols = append(cols, Column{c, "VARCHAR"})
	}
	return append(cols, FactOwnColumns...)
}

// SyncLogView renders sync_log: records joined with their run's metadata, under
// the column names of the vendor's own warehouse log view, plus ours.
func (d DuckDB) SyncLogView(schema string) string {
	return `CREATE OR REPLACE VIEW ` + d.Table(schema, "sync_log") + ` AS
SELECT
  md5(r._file || '#' || CAST(r._row AS VARCHAR)) AS log_id,
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
  CASE lower(r.status) WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END AS outcome,
  r._file,
  r._row
FROM ` + d.Table(schema, "sync_records") + ` r
LEFT JOIN ` + d.Table(schema, "sync_runs") + ` m
  ON m.org_id = r.org_id AND m.sync_configuration_id = r.sync_configuration_id AND m.sync_run_id = r.sync_run_id`
}

// Names lists the columns' names in order.
func Names(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}
