-- Outcomes per run: totals, rejection rate, batch times, source and destination names.
-- invalid counts the NULL and DUPLICATE checks and rows without a status. Names come
-- from the fact tables through left joins: facts are refreshed every six hours, so a
-- new source or destination has a NULL name until they catch up. With since, only
-- rows of batches started at or after it are counted. Reads run_outcome_counts,
-- which every load writes with the rows: a few rows per file, not one per record.
-- params: sync run since limit
WITH run_totals AS (
  SELECT
    c.org_id,
    c.sync_configuration_id AS sync_id,
    c.sync_run_id,
    {{ sum "c.records" }} AS total,
    {{ sum "CASE WHEN c.outcome = 'success' THEN c.records ELSE 0 END" }} AS succeeded,
    {{ sum "CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END" }} AS rejected,
    {{ sum "CASE WHEN c.outcome = 'invalid' THEN c.records ELSE 0 END" }} AS invalid,
    min(c.batch_started_at) AS first_batch_started_at,
    max(c.batch_ended_at) AS last_batch_completed_at
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
)
SELECT
  r.org_id,
  r.sync_id,
  r.sync_run_id,
  m.started_at AS run_started_at,
  r.total,
  r.succeeded,
  r.rejected,
  r.invalid,
  {{ rate "r.rejected" "r.total" }} AS rejection_rate,
  r.first_batch_started_at,
  r.last_batch_completed_at,
  m.source_type,
  m.source_object_id,
  so.name AS source_name,
  m.destination_type,
  m.destination_id,
  d.name AS destination_name,
  m.destination_object_id,
  dobj.name AS destination_object_name
FROM run_totals AS r
LEFT JOIN {{ table "sync_runs" }} AS m
  ON m.org_id = r.org_id AND m.sync_configuration_id = r.sync_id AND m.sync_run_id = r.sync_run_id
LEFT JOIN {{ table "source_objects" }} AS so ON so.org_id = r.org_id AND so.id = m.source_object_id
LEFT JOIN {{ table "destinations" }} AS d ON d.org_id = r.org_id AND d.id = m.destination_id
LEFT JOIN {{ table "destination_objects" }} AS dobj ON dobj.org_id = r.org_id AND dobj.id = m.destination_object_id
ORDER BY r.first_batch_started_at DESC NULLS LAST, r.org_id, r.sync_id, r.sync_run_id
{{- with param "limit" }}
LIMIT {{ . }}
{{- end }}
