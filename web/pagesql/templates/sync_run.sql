-- One run's outcome counts and what its metadata.json says.
-- view: no
-- params: sync run
-- required: sync run
SELECT
  o.org_id,
  o.sync_id,
  o.sync_run_id,
  o.started_at,
  o.files,
  o.total,
  o.succeeded,
  o.rejected,
  o.invalid,
  o.rejection_rate,
  m.source_type,
  m.source_object_id,
  m.destination_type,
  m.destination_id,
  m.destination_object_id,
  m.workspace_id
FROM {{ runOutcomes }} AS o
LEFT JOIN {{ table "sync_runs" }} AS m
  ON m.org_id = o.org_id AND m.sync_configuration_id = o.sync_id AND m.sync_run_id = o.sync_run_id
WHERE o.sync_id = {{ param "sync" }} AND o.sync_run_id = {{ param "run" }}
