-- rendered with parameters: run_summary
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
    SUM(c.records) AS total,
    SUM(CASE WHEN c.outcome = 'success' THEN c.records ELSE 0 END) AS succeeded,
    SUM(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS rejected,
    SUM(CASE WHEN c.outcome = 'invalid' THEN c.records ELSE 0 END) AS invalid,
    min(c.batch_started_at) AS first_batch_started_at,
    max(c.batch_ended_at) AS last_batch_completed_at
  FROM `synctrack`.`run_outcome_counts` AS c
  WHERE TRUE
    AND c.sync_configuration_id = '52275'
    AND c.sync_run_id = '8867293'
    AND c.batch_started_at >= CAST('2026-01-05 00:00:00.000000+00:00' AS TIMESTAMP)
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
  round(r.rejected / r.total, 4) AS rejection_rate,
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
LEFT JOIN `synctrack`.`sync_runs` AS m
  ON m.org_id = r.org_id AND m.sync_configuration_id = r.sync_id AND m.sync_run_id = r.sync_run_id
LEFT JOIN `synctrack`.`source_objects` AS so ON so.org_id = r.org_id AND so.id = m.source_object_id
LEFT JOIN `synctrack`.`destinations` AS d ON d.org_id = r.org_id AND d.id = m.destination_id
LEFT JOIN `synctrack`.`destination_objects` AS dobj ON dobj.org_id = r.org_id AND dobj.id = m.destination_object_id
ORDER BY r.first_batch_started_at DESC NULLS LAST, r.org_id, r.sync_id, r.sync_run_id
LIMIT 50

-- rendered as a view, without parameters
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
    SUM(c.records) AS total,
    SUM(CASE WHEN c.outcome = 'success' THEN c.records ELSE 0 END) AS succeeded,
    SUM(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS rejected,
    SUM(CASE WHEN c.outcome = 'invalid' THEN c.records ELSE 0 END) AS invalid,
    min(c.batch_started_at) AS first_batch_started_at,
    max(c.batch_ended_at) AS last_batch_completed_at
  FROM `synctrack`.`run_outcome_counts` AS c
  WHERE TRUE
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
  round(r.rejected / r.total, 4) AS rejection_rate,
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
LEFT JOIN `synctrack`.`sync_runs` AS m
  ON m.org_id = r.org_id AND m.sync_configuration_id = r.sync_id AND m.sync_run_id = r.sync_run_id
LEFT JOIN `synctrack`.`source_objects` AS so ON so.org_id = r.org_id AND so.id = m.source_object_id
LEFT JOIN `synctrack`.`destinations` AS d ON d.org_id = r.org_id AND d.id = m.destination_id
LEFT JOIN `synctrack`.`destination_objects` AS dobj ON dobj.org_id = r.org_id AND dobj.id = m.destination_object_id
ORDER BY r.first_batch_started_at DESC NULLS LAST, r.org_id, r.sync_id, r.sync_run_id
