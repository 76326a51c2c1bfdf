-- Daily rejection rate per sync, by the UTC day each batch started.
-- params: sync since limit
SELECT
  {{ utcDate "l.batch_started_at" }} AS day,
  l.org_id,
  l.sync_id,
  count(*) AS total,
  {{ countIf "l.outcome = 'rejected'" }} AS rejected,
  {{ rate (countIf "l.outcome = 'rejected'") "count(*)" }} AS rejection_rate
FROM {{ table "sync_log" }} AS l
WHERE TRUE
{{- with param "sync" }}
  AND l.sync_id = {{ . }}
{{- end }}
{{- with param "since" }}
  AND l.batch_started_at >= {{ . }}
{{- end }}
GROUP BY day, l.org_id, l.sync_id
ORDER BY day DESC NULLS LAST, l.org_id, l.sync_id
{{- with param "limit" }}
LIMIT {{ . }}
{{- end }}
