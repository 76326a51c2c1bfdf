package dialects

import "strings"

// ExternalRecordsTable is the external table external mode reads records from.
const ExternalRecordsTable = "sync_records_external"

// ExternalRecords renders the DDL of external mode: an external table over
// every records file under uriPrefix (gs://bucket/prefix/, or s3://... with a
// BigQuery Omni connection), and sync_records as a view over it with the
// same columns as the loaded table. The layout is not hive-style, so the ids
// come from each row's _FILE_NAME; columns a file has win, as when loading.
// connection is a connection id (project.location.name) or "".
func (d BigQuery) ExternalRecords(dataset, uriPrefix, connection string) []string {
	ext := d.Table(dataset, ExternalRecordsTable)
	with := ""
	if connection != "" {
		with = "\nWITH CONNECTION " + d.Ident(connection)
	}
	uri := strings.TrimSuffix(uriPrefix, "/") + "/sync_tracking_datasets/*.parquet"
	create := "CREATE OR REPLACE EXTERNAL TABLE " + ext + with +
		"\nOPTIONS (format = 'PARQUET', uris = [" + d.String(uri) + "])"
	part := func(i int) string {
		groups := []string{"[^/]+", "[^/]+", "[^/]+"}
		groups[i] = "([^/]+)"
		return "REGEXP_EXTRACT(_FILE_NAME, r'sync_tracking_datasets/" + strings.Join(groups, "/") + "/[^/]+$')"
	}
	key := "REGEXP_EXTRACT(_FILE_NAME, r'^[a-z0-9]+://[^/]+/(.*)$')"
	view := `CREATE OR REPLACE VIEW ` + d.Table(dataset, "sync_records") + ` AS
SELECT
  CAST(identifier AS STRING) AS identifier,
  COALESCE(SAFE.PARSE_JSON(CAST(record_payload AS STRING)), TO_JSON(CAST(record_payload AS STRING))) AS record_payload,
  operation,
  status,
  status_message,
  batch_started_at,
  batch_ended_at,
  COALESCE(CAST(sync_configuration_id AS STRING), ` + part(1) + `) AS sync_configuration_id,
  COALESCE(CAST(sync_run_id AS STRING), ` + part(2) + `) AS sync_run_id,
  ` + part(0) + ` AS org_id,
  REGEXP_EXTRACT(_FILE_NAME, r'/([^/.]+)(?:\.[0-9]+)?\.parquet$') AS batch_type,
  SAFE_CAST(REGEXP_EXTRACT(_FILE_NAME, r'/[^/.]+\.([0-9]+)\.parquet$') AS INT64) AS batch_number,
  ` + key + ` AS _file,
  ROW_NUMBER() OVER (PARTITION BY _FILE_NAME ORDER BY CAST(identifier AS STRING), batch_started_at, status, CAST(record_payload AS STRING)) - 1 AS _row,
  CAST(NULL AS JSON) AS _extra,
  CAST(NULL AS TIMESTAMP) AS _loaded_at
FROM ` + ext
	return []string{create, view}
}

// ExternalFiles renders a short-lived external table over exactly these gs://
// files, all of one schema (path a of loaded mode). cols is that schema, so
// BigQuery infers nothing; it expires by itself a day later should the drop
// after the load never run.
func (d BigQuery) ExternalFiles(dataset, table string, cols []Column, uris []string) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = d.Ident(c.Name) + " " + c.Type
	}
	lits := make([]string, len(uris))
	for i, u := range uris {
		lits[i] = d.String(u)
	}
	return "CREATE OR REPLACE EXTERNAL TABLE " + d.Table(dataset, table) + " (\n  " + strings.Join(defs, ",\n  ") +
		"\n)\nOPTIONS (format = 'PARQUET', uris = [" + strings.Join(lits, ", ") +
		"], expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 1 DAY))"
}

// DropTable renders DROP TABLE IF EXISTS (EXTERNAL TABLE when external).
func (d BigQuery) DropTable(dataset, table string, external bool) string {
	kind := "TABLE"
	if external {
		kind = "EXTERNAL TABLE"
	}
	return "DROP " + kind + " IF EXISTS " + d.Table(dataset, table)
}
