-- Every row for one record identifier across runs, newest first.
-- Rows that tie on start and run (a run's rows; the same run id in two syncs) come in file
-- and row order, as on the record's web page.
-- params: identifier sync limit
-- required: identifier
SELECT
  l.batch_started_at,
  l.batch_completed_at,
  l.org_id,
  l.sync_id,
  l.sync_run_id,
  l.record_identifier,
  l.operation,
  l.outcome,
  l.status,
  l.status_message,
  l.record_payload,
  l.log_id,
  l._file
FROM {{ table "sync_log" }} AS l
WHERE l.record_identifier = {{ param "identifier" }}
{{- with param "sync" }}
  AND l.sync_id = {{ . }}
{{- end }}
ORDER BY l.batch_started_at DESC NULLS LAST, l.sync_run_id DESC, l._file, l._row
{{- with param "limit" }}
LIMIT {{ . }}
{{- end }}
