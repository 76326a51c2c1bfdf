-- Daily rejection rate per sync, by the UTC day each batch started.
-- Reads run_outcome_counts, which every load writes with the rows.
-- params: sync since limit
SELECT
  {{ utcDate "c.batch_started_at" }} AS day,
  c.org_id,
  c.sync_configuration_id AS sync_id,
  {{ sum "c.records" }} AS total,
  {{ sum "CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END" }} AS rejected,
  {{ rate (sum "CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END") (sum "c.records") }} AS rejection_rate
FROM {{ table "run_outcome_counts" }} AS c
WHERE TRUE
{{- with param "sync" }}
  AND c.sync_configuration_id = {{ . }}
{{- end }}
{{- with param "since" }}
  AND c.batch_started_at >= {{ . }}
{{- end }}
GROUP BY day, c.org_id, c.sync_configuration_id
ORDER BY day DESC NULLS LAST, c.org_id, sync_id
{{- with param "limit" }}
LIMIT {{ . }}
{{- end }}
