-- Rejected records grouped by status message, with their identifiers: the seed's query.
-- One row per status_message of rejected records (NULL is a message too): how many
-- rejected rows carry it and every identifier, sorted (NULL identifiers left out).
-- params: sync run since limit
SELECT
  l.status_message,
  count(*) AS rejected,
  {{ arrayAgg "l.record_identifier" "l.record_identifier" }} AS identifiers
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
GROUP BY l.status_message
ORDER BY rejected DESC, l.status_message NULLS LAST
{{- with param "limit" }}
LIMIT {{ . }}
{{- end }}
