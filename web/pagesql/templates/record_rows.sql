-- One record identifier's rows across runs, newest first: sync_records itself, not
-- sync_log, so that a search reads only the columns it shows. identifier_key, when the
-- engine keeps one (DuckDB), is checked first: 4 bytes a row instead of every identifier.
-- file_from and file_to, where the engine skips by them (PostgreSQL), are the sync's first
-- and last file.
-- view: no
-- params: identifier identifier_key sync file_from file_to limit
-- required: identifier
SELECT
  r.batch_started_at,
  r.sync_configuration_id AS sync_id,
  r.sync_run_id,
  r.operation,
  r.status,
  r.status_message,
  r.record_payload
FROM {{ table "sync_records" }} AS r
WHERE r.identifier = {{ param "identifier" }}
{{- with param "identifier_key" }}
  AND r._identifier_hash = {{ . }}
{{- end }}
{{- with param "sync" }}
  AND r.sync_configuration_id = {{ . }}
{{- end }}
{{- with param "file_from" }}
  AND r._file >= {{ . }}
{{- end }}
{{- with param "file_to" }}
  AND r._file <= {{ . }}
{{- end }}
ORDER BY r.batch_started_at DESC NULLS LAST, r.sync_run_id DESC, r._file, r._row
LIMIT {{ or (param "limit") 200 }}
