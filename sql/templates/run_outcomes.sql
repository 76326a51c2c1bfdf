-- One row per run: its start, files, and records by outcome with the rejection rate.
-- When it started is its earliest batch; the outcomes are success, rejected and invalid.
-- Reads run_outcome_counts only, which every load writes with the rows: what pages
-- and dashboards read per run without scanning sync_records.
-- params: sync run since limit
SELECT
  c.org_id,
  c.sync_configuration_id AS sync_id,
  c.sync_run_id,
  min(c.batch_started_at) AS started_at,
  count(DISTINCT c._file) AS files,
  {{ sum "c.records" }} AS total,
  {{ sum "CASE WHEN c.outcome = 'success' THEN c.records ELSE 0 END" }} AS succeeded,
  {{ sum "CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END" }} AS rejected,
  {{ sum "CASE WHEN c.outcome = 'invalid' THEN c.records ELSE 0 END" }} AS invalid,
  {{ rate (sum "CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END") (sum "c.records") }} AS rejection_rate
FROM {{ table "run_outcome_counts" }} AS c
WHERE TRUE
{{- with param "sync" }}
  AND c.sync_configuration_id = {{ . }}
{{- end }}
{{- with param "run" }}
  AND c.sync_run_id = {{ . }}
{{- end }}
{{- with param "since" }}
  AND c.batch_started_at >= {{ . }}
{{- end }}
GROUP BY c.org_id, c.sync_configuration_id, c.sync_run_id
ORDER BY started_at DESC NULLS LAST, c.org_id, sync_id, c.sync_run_id
{{- with param "limit" }}
LIMIT {{ . }}
{{- end }}
