-- Outcomes per run: totals, rejection rate, batch times, source and destination names.
-- invalid counts the NULL and DUPLICATE checks and rows without a status. Names come
-- from the fact tables through left joins: facts are refreshed every six hours, so a
-- new source or destination has a NULL name until they catch up. With since, only
-- rows of batches started at or after it are counted.
-- params: sync run since limit
WITH run_totals AS (
  SELECT
    l.org_id,
    l.sync_id,
    l.sync_run_id,
    l.source_object_id,
    l.destination_id,
    l.destination_object_id,
    count(*) AS total,
    {{ countIf "l.outcome = 'success'" }} AS succeeded,
    {{ countIf "l.outcome = 'rejected'" }} AS rejected,
    {{ countIf "l.outcome = 'invalid'" }} AS invalid,
    min(l.batch_started_at) AS first_batch_started_at,
    max(l.batch_completed_at) AS last_batch_completed_at
  FROM {{ table "sync_log" }} AS l
  WHERE TRUE
{{- with param "sync" }}
    AND l.sync_id = {{ . }}
{{- end }}
{{- with param "run" }}
    AND l.sync_run_id = {{ . }}
{{- end }}
{{- with param "since" }}
    AND l.batch_started_at >= {{ . }}
{{- end }}
  GROUP BY l.org_id, l.sync_id, l.sync_run_id, l.source_object_id, l.destination_id, l.destination_object_id
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
  r.source_object_id,
  so.name AS source_name,
  m.destination_type,
  r.destination_id,
  d.name AS destination_name,
  r.destination_object_id,
  dobj.name AS destination_object_name
FROM run_totals AS r
LEFT JOIN {{ table "sync_runs" }} AS m
  ON m.org_id = r.org_id AND m.sync_configuration_id = r.sync_id AND m.sync_run_id = r.sync_run_id
LEFT JOIN {{ table "source_objects" }} AS so ON so.org_id = r.org_id AND so.id = r.source_object_id
LEFT JOIN {{ table "destinations" }} AS d ON d.org_id = r.org_id AND d.id = r.destination_id
LEFT JOIN {{ table "destination_objects" }} AS dobj ON dobj.org_id = r.org_id AND dobj.id = r.destination_object_id
ORDER BY r.first_batch_started_at DESC NULLS LAST, r.org_id, r.sync_id, r.sync_run_id
{{- with param "limit" }}
LIMIT {{ . }}
{{- end }}
