-- Every sync with its latest run's outcome counts, the sync whose run started last first.
-- view: no
-- params: limit
WITH runs AS (
  SELECT
    o.org_id,
    o.sync_id,
    o.sync_run_id,
    o.started_at,
    o.total,
    o.succeeded,
    o.rejected,
    o.invalid,
    o.rejection_rate,
    row_number() OVER (PARTITION BY o.org_id, o.sync_id ORDER BY o.started_at DESC, o.sync_run_id DESC) AS run_rank,
    count(*) OVER (PARTITION BY o.org_id, o.sync_id) AS runs
  FROM {{ runOutcomes }} AS o
)
SELECT
  r.org_id,
  r.sync_id,
  r.sync_run_id,
  r.started_at,
  r.total,
  r.succeeded,
  r.rejected,
  r.invalid,
  r.rejection_rate,
  r.runs,
  m.source_type,
  m.destination_type,
  d.name AS destination_name
FROM runs AS r
LEFT JOIN {{ table "sync_runs" }} AS m
  ON m.org_id = r.org_id AND m.sync_configuration_id = r.sync_id AND m.sync_run_id = r.sync_run_id
LEFT JOIN {{ table "destinations" }} AS d ON d.org_id = r.org_id AND d.id = m.destination_id
WHERE r.run_rank = 1
ORDER BY r.started_at DESC NULLS LAST, r.org_id, r.sync_id
LIMIT {{ or (param "limit") 500 }}
