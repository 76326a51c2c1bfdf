-- Every sync with its latest run's outcome counts, the sync whose run started last first.
-- A run whose metadata.json is loaded and no records yet counts, with no records.
-- view: no
-- params: limit
WITH runs AS (
  SELECT
    coalesce(o.org_id, m.org_id) AS org_id,
    coalesce(o.sync_id, m.sync_configuration_id) AS sync_id,
    coalesce(o.sync_run_id, m.sync_run_id) AS sync_run_id,
    coalesce(o.started_at, m.started_at) AS started_at,
    coalesce(o.total, 0) AS total,
    coalesce(o.succeeded, 0) AS succeeded,
    coalesce(o.rejected, 0) AS rejected,
    coalesce(o.invalid, 0) AS invalid,
    o.rejection_rate,
    m.source_type,
    m.destination_type,
    m.destination_id
  FROM {{ runOutcomes }} AS o
  FULL JOIN {{ table "sync_runs" }} AS m
    ON m.org_id = o.org_id AND m.sync_configuration_id = o.sync_id AND m.sync_run_id = o.sync_run_id
),
ranked AS (
  SELECT
    r.*,
    row_number() OVER (PARTITION BY r.org_id, r.sync_id ORDER BY r.started_at DESC NULLS LAST, r.sync_run_id DESC) AS run_rank,
    count(*) OVER (PARTITION BY r.org_id, r.sync_id) AS runs
  FROM runs AS r
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
  r.source_type,
  r.destination_type,
  d.name AS destination_name
FROM ranked AS r
LEFT JOIN {{ table "destinations" }} AS d ON d.org_id = r.org_id AND d.id = r.destination_id
WHERE r.run_rank = 1
ORDER BY r.started_at DESC NULLS LAST, r.org_id, r.sync_id
LIMIT {{ or (param "limit") 500 }}
