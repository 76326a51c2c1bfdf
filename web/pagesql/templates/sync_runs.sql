-- One sync's runs, newest first, paged by key: the runs started before (before, before_run),
-- then those with no start (no records with a batch start, no started_at in metadata.json),
-- last; before_run alone pages among those.
-- A run whose metadata.json is loaded and no records yet (just begun, or nothing to sync) is
-- listed with no records, started when its metadata says.
-- view: no
-- params: sync before before_run limit
-- required: sync
SELECT *
FROM (
  SELECT
    coalesce(o.org_id, m.org_id) AS org_id,
    coalesce(o.sync_id, m.sync_configuration_id) AS sync_id,
    coalesce(o.sync_run_id, m.sync_run_id) AS sync_run_id,
    coalesce(o.started_at, m.started_at) AS started_at,
    coalesce(o.files, 0) AS files,
    coalesce(o.total, 0) AS total,
    coalesce(o.succeeded, 0) AS succeeded,
    coalesce(o.rejected, 0) AS rejected,
    coalesce(o.invalid, 0) AS invalid,
    o.rejection_rate
  FROM (SELECT * FROM {{ runOutcomes }} WHERE sync_id = {{ param "sync" }}) AS o
  FULL JOIN (
    SELECT org_id, sync_configuration_id, sync_run_id, started_at
    FROM {{ table "sync_runs" }}
    WHERE sync_configuration_id = {{ param "sync" }}
  ) AS m
    ON m.org_id = o.org_id AND m.sync_configuration_id = o.sync_id AND m.sync_run_id = o.sync_run_id
) AS r
WHERE TRUE
{{- with param "before" }}
  AND (r.started_at < {{ . }} OR (r.started_at = {{ . }} AND r.sync_run_id < {{ param "before_run" }}) OR r.started_at IS NULL)
{{- else }}{{ with param "before_run" }}
  AND r.started_at IS NULL AND r.sync_run_id < {{ . }}
{{- end }}{{ end }}
ORDER BY r.started_at DESC NULLS LAST, r.sync_run_id DESC
LIMIT {{ or (param "limit") 50 }}
