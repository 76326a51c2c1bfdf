-- One run's records in file order, paged by key: the rows after (after_file, after_row).
-- Filtered by outcome (status) and identifier; what the run page lists. file_from and file_to,
-- where the engine skips by them (warehouse.FileRanger), are the run's first and last file.
-- view: no
-- params: sync run status identifier identifier_key file_from file_to after_file after_row limit
-- required: sync run
SELECT
  r.identifier,
  r.status,
  r.status_message,
  r.operation,
  r.batch_started_at,
  r.record_payload,
  r._file,
  r._row
FROM {{ table "sync_records" }} AS r
WHERE r.sync_configuration_id = {{ param "sync" }} AND r.sync_run_id = {{ param "run" }}
{{- with param "status" }}
  AND (CASE lower(r.status) WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END) = {{ . }}
{{- end }}
{{- with param "identifier" }}
  AND r.identifier = {{ . }}
{{- end }}
{{- with param "identifier_key" }}
  AND r._identifier_hash = {{ . }}
{{- end }}
{{- with param "file_from" }}
  AND r._file >= {{ . }}
{{- end }}
{{- with param "file_to" }}
  AND r._file <= {{ . }}
{{- end }}
{{- with param "after_file" }}
  AND (r._file > {{ . }} OR (r._file = {{ . }} AND r._row > {{ param "after_row" }}))
{{- end }}
ORDER BY r._file, r._row
LIMIT {{ or (param "limit") 50 }}
