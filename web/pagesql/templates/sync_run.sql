-- One run's outcome counts and what its metadata.json says; a run with its metadata.json and
-- no records yet has no counts (zero records, started when its metadata says).
-- view: no
-- params: sync run
-- required: sync run
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
  o.rejection_rate,
  m.source_type,
  m.source_object_id,
  m.destination_type,
  m.destination_id,
  m.destination_object_id,
  m.workspace_id
FROM (SELECT * FROM {{ runOutcomes }} WHERE sync_id = {{ param "sync" }} AND sync_run_id = {{ param "run" }}) AS o
FULL JOIN (
  SELECT *
  FROM {{ table "sync_runs" }}
  WHERE sync_configuration_id = {{ param "sync" }} AND sync_run_id = {{ param "run" }}
) AS m
  ON m.org_id = o.org_id AND m.sync_configuration_id = o.sync_id AND m.sync_run_id = o.sync_run_id
