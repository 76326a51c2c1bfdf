-- rendered with parameters: rejection_trend
-- Daily rejection rate per sync, by the UTC day each batch started.
-- Reads run_outcome_counts, which every load writes with the rows.
-- params: sync since limit
SELECT
  TO_DATE(CONVERT_TIMEZONE('UTC', c.batch_started_at)) AS day,
  c.org_id,
  c.sync_configuration_id AS sync_id,
  SUM(c.records) AS total,
  SUM(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS rejected,
  round(SUM(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) / SUM(c.records), 4) AS rejection_rate
FROM "SYNCTRACK"."RUN_OUTCOME_COUNTS" AS c
WHERE TRUE
  AND c.sync_configuration_id = '52275'
  AND c.batch_started_at >= CAST('2026-01-05 00:00:00.000000+00:00' AS TIMESTAMP_TZ)
GROUP BY day, c.org_id, c.sync_configuration_id
ORDER BY day DESC NULLS LAST, c.org_id, sync_id
LIMIT 50

-- rendered as a view, without parameters
-- Daily rejection rate per sync, by the UTC day each batch started.
-- Reads run_outcome_counts, which every load writes with the rows.
-- params: sync since limit
SELECT
  TO_DATE(CONVERT_TIMEZONE('UTC', c.batch_started_at)) AS day,
  c.org_id,
  c.sync_configuration_id AS sync_id,
  SUM(c.records) AS total,
  SUM(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS rejected,
  round(SUM(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) / SUM(c.records), 4) AS rejection_rate
FROM "SYNCTRACK"."RUN_OUTCOME_COUNTS" AS c
WHERE TRUE
GROUP BY day, c.org_id, c.sync_configuration_id
ORDER BY day DESC NULLS LAST, c.org_id, sync_id
