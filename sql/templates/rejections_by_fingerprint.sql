-- Rejected records grouped by message fingerprint: one error about many different values.
-- The fingerprint is status_message with UUIDs, emails, single-quoted values, host
-- names, ids mixing letters and digits, and numbers replaced by <uuid>, <email>, '<v>',
-- <host>, <id> and <n>; double-quoted names (fields, properties) are kept. Per
-- fingerprint: rejected rows, distinct messages and records, an example message, and
-- the first and last batch start.
-- params: sync run since limit
WITH rejected_rows AS (
  SELECT
    {{ fingerprint "l.status_message" }} AS fingerprint,
    l.status_message,
    l.record_identifier,
    l.batch_started_at
  FROM {{ table "sync_log" }} AS l
  WHERE l.outcome = 'rejected'
{{- with param "sync" }}
    AND l.sync_id = {{ . }}
{{- end }}
{{- with param "run" }}
    AND l.sync_run_id = {{ . }}
{{- end }}
{{- with param "since" }}
    AND l.batch_started_at >= {{ . }}
{{- end }}
)
SELECT
  fingerprint,
  count(*) AS rejected,
  count(DISTINCT status_message) AS messages,
  count(DISTINCT record_identifier) AS records,
  min(status_message) AS example_message,
  min(batch_started_at) AS first_seen,
  max(batch_started_at) AS last_seen
FROM rejected_rows
GROUP BY fingerprint
ORDER BY rejected DESC, fingerprint NULLS LAST
{{- with param "limit" }}
LIMIT {{ . }}
{{- end }}
