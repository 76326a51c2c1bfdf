-- The invalid-data checks per run: NULL, DUPLICATE, and rows without a status.
-- invalid_check is the status as written, or "(no status)" for SQL NULL; a status that
-- is neither succeeded nor rejected counts here too.
-- params: sync run since limit
SELECT
  l.org_id,
  l.sync_id,
  l.sync_run_id,
  coalesce(l.status, '(no status)') AS invalid_check,
  count(*) AS invalid,
  count(DISTINCT l.record_identifier) AS records,
  min(l.record_identifier) AS example_identifier,
  min(l.status_message) AS example_message
FROM {{ table "sync_log" }} AS l
WHERE l.outcome = 'invalid'
{{- with param "sync" }}
  AND l.sync_id = {{ . }}
{{- end }}
{{- with param "run" }}
  AND l.sync_run_id = {{ . }}
{{- end }}
{{- with param "since" }}
  AND l.batch_started_at >= {{ . }}
{{- end }}
GROUP BY l.org_id, l.sync_id, l.sync_run_id, invalid_check
ORDER BY l.org_id, l.sync_id, l.sync_run_id, invalid_check
{{- with param "limit" }}
LIMIT {{ . }}
{{- end }}
