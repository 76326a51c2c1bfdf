-- One record identifier's rows across runs, newest first: sync_records itself, not
-- sync_log, so that a search reads only the columns it shows. identifier_key, when the
-- engine keeps one (DuckDB), is checked first: 4 bytes a row instead of every identifier.
-- file_from and file_to, where the engine skips by them (PostgreSQL), are the sync's first
-- and last file. Paged by key: the rows after the last one shown, in the page's order
-- (before, before_run, after_file, after_row: its start, run, file and row; before left out
-- when its start is NULL, as the rows without one come last).
-- view: no
-- params: identifier identifier_key sync file_from file_to before before_run after_file after_row limit
-- required: identifier
SELECT
  r.batch_started_at,
  r.sync_configuration_id AS sync_id,
  r.sync_run_id,
  r.operation,
  r.status,
  r.status_message,
  r.record_payload,
  r._file,
  r._row
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
{{- with param "after_file" }}
  AND (
  {{- with param "before" }}
    r.batch_started_at < {{ . }} OR r.batch_started_at IS NULL OR (r.batch_started_at = {{ . }} AND
  {{- else }}
    (r.batch_started_at IS NULL AND
  {{- end }}
      (r.sync_run_id < {{ param "before_run" }} OR (r.sync_run_id = {{ param "before_run" }} AND
        (r._file > {{ . }} OR (r._file = {{ . }} AND r._row > {{ param "after_row" }}))))))
{{- end }}
ORDER BY r.batch_started_at DESC NULLS LAST, r.sync_run_id DESC, r._file, r._row
LIMIT {{ or (param "limit") 200 }}
