package dialects

import "strings"

// postgresTypes maps the column types of the shared column lists (DuckDB's
// names) to PostgreSQL's. JSON is jsonb: stored parsed, so the typed views'
// -> and ->> do not parse each payload again.
var postgresTypes = map[string]string{
	"VARCHAR": "TEXT", "JSON": "JSONB", "TIMESTAMPTZ": "TIMESTAMPTZ", "BIGINT": "BIGINT",
	"INTEGER": "INTEGER", "DOUBLE": "DOUBLE PRECISION", "BOOLEAN": "BOOLEAN",
}

// PostgresType is the PostgreSQL type of a shared column type.
func PostgresType(t string) string {
	if p, ok := postgresTypes[t]; ok {
		return p
	}
	return t
}

// CreateTable renders CREATE TABLE IF NOT EXISTS for columns, with extra
// table constraints (a primary key) after them.
func (d Postgres) CreateTable(schema, table string, cols []Column, constraints ...string) string {
	parts := make([]string, 0, len(cols)+len(constraints))
	for _, c := range cols {
		parts = append(parts, d.Ident(c.Name)+" "+PostgresType(c.Type))
	}
	parts = append(parts, constraints...)
	return "CREATE TABLE IF NOT EXISTS " + d.Table(schema, table) + " (\n  " + strings.Join(parts, ",\n  ") + "\n)"
}

// Setup renders the tables of a new schema, in order (the schema itself and
// sync_log are made by the warehouse, which checks first whether the schema
// exists, and replaces views its own way: CREATE
// SCHEMA IF NOT EXISTS needs the CREATE privilege on the database even when
// the schema is there). sync_runs has the daemon's run state from the start,
// and daemon_lease is made with the rest: a new engine has no older schemas
// to bring forward. load_ledger's primary key makes the ledger upsert one
// INSERT ... ON CONFLICT. sync_records' index on _file keeps the DELETE of a
// changed file's rows from reading the whole table: a BRIN index (min and max
// _file per range of pages), since a file's rows are written together and a
// batch's files in key order, so each range holds few keys; it costs next to
// nothing per row, where a btree on a 70-byte key per row slowed a large COPY
// by about a fifth. autosummarize has autovacuum summarize new ranges soon
// after a load (until then a DELETE reads them, only them, whole).
func (d Postgres) Setup(schema string) []string {
	runs := append(append([]Column{}, RunsColumns...), RunStateColumns...)
	stmts := []string{
		d.CreateTable(schema, "sync_records", RecordsColumns),
		"CREATE INDEX IF NOT EXISTS sync_records_file ON " + d.Table(schema, "sync_records") +
			" USING brin (_file) WITH (autosummarize = on)",
		strings.Replace(d.CreateTable(schema, "sync_runs", runs), `"state" TEXT`, `"state" TEXT DEFAULT 'open'`, 1),
		d.CreateTable(schema, "load_ledger", LedgerColumns, "PRIMARY KEY (key, etag)"),
		d.CreateTable(schema, "payload_columns", PayloadColumnsColumns),
		d.CreateTable(schema, "daemon_lease", LeaseColumns, "PRIMARY KEY (name)"),
	}
	for _, t := range []string{"source_objects", "destinations", "destination_objects"} {
		stmts = append(stmts, d.CreateTable(schema, t, factTableColumns(t)))
	}
	// The counts are a few rows per file: a btree on _file is cheap there
	// and keeps a changed file's DELETE from reading them all.
	for _, t := range CountsTables() {
		stmts = append(stmts, d.CreateTable(schema, t.Name, t.Columns),
			"CREATE INDEX IF NOT EXISTS "+t.Name+"_file ON "+d.Table(schema, t.Name)+" (_file)")
	}
	return stmts
}

// SyncLogBody is sync_log's SELECT. DuckDB's is PostgreSQL's: the same
// quoting, md5, CAST AS VARCHAR and CASE.
func (d Postgres) SyncLogBody(schema string) string {
	return strings.TrimPrefix(DuckDB{}.SyncLogView(schema), "CREATE OR REPLACE VIEW "+d.Table(schema, "sync_log")+" AS\n")
}
