-- The daemon's state of one sync's runs (open or complete); the columns exist once synctrack run has run.
-- view: no
-- params: sync
-- required: sync
SELECT
  m.sync_run_id,
  m.state,
  m.completed_at
FROM {{ table "sync_runs" }} AS m
WHERE m.sync_configuration_id = {{ param "sync" }}
