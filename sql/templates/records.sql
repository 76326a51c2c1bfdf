-- The record browser: sync_log rows by sync, run, outcome and identifier, newest first.
-- status is the outcome: success, rejected or invalid. synctrack records runs this.
-- file_from and file_to (set by the web pages' downloads, where the engine skips by them)
-- are the run's first and last file.
-- params: sync run status identifier since file_from file_to limit
-- view: no
SELECT
  l.batch_started_at,
  l.org_id,
  l.sync_id,
  l.sync_run_id,
  l.record_identifier,
  l.outcome,
  l.status,
  l.status_message,
  l.operation,
  l.record_payload,
  l.batch_completed_at,
  l.log_id,
  l._file
FROM {{ table "sync_log" }} AS l
WHERE TRUE
{{- with param "sync" }}
  AND l.sync_id = {{ . }}
{{- end }}
{{- with param "run" }}
  AND l.sync_run_id = {{ . }}
{{- end }}
{{- with param "status" }}
  AND l.outcome = {{ . }}
{{- end }}
{{- with param "identifier" }}
  AND l.record_identifier = {{ . }}
{{- end }}
{{- with param "since" }}
  AND l.batch_started_at >= {{ . }}
{{- end }}
{{- with param "file_from" }}
  AND l._file >= {{ . }}
{{- end }}
{{- with param "file_to" }}
  AND l._file <= {{ . }}
{{- end }}
ORDER BY l.batch_started_at DESC NULLS LAST, l.log_id
{{- with param "limit" }}
LIMIT {{ . }}
{{- end }}
