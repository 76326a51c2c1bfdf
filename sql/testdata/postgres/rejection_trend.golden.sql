-- rendered with parameters: rejection_trend
-- Daily rejection rate per sync, by the UTC day each batch started.
-- Reads run_outcome_counts, which every load writes with the rows.
-- params: sync since limit
SELECT
  CAST(timezone('UTC', c.batch_started_at) AS DATE) AS day,
  c.org_id,
  c.sync_configuration_id AS sync_id,
  CAST(sum(c.records) AS BIGINT) AS total,
  CAST(sum(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS BIGINT) AS rejected,
  CAST(round(CAST(CAST(sum(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS BIGINT) AS NUMERIC) / CAST(sum(c.records) AS BIGINT), 4) AS DOUBLE PRECISION) AS rejection_rate
FROM "synctrack"."run_outcome_counts" AS c
WHERE TRUE
  AND c.sync_configuration_id = '52275'
  AND c.batch_started_at >= CAST('2026-01-05 00:00:00.000000+00:00' AS TIMESTAMPTZ)
GROUP BY day, c.org_id, c.sync_configuration_id
ORDER BY day DESC NULLS LAST, c.org_id, sync_id
LIMIT 50

-- rendered as a view, without parameters
-- Daily rejection rate per sync, by the UTC day each batch started.
-- Reads run_outcome_counts, which every load writes with the rows.
-- params: sync since limit
SELECT
  CAST(timezone('UTC', c.batch_started_at) AS DATE) AS day,
  c.org_id,
  c.sync_configuration_id AS sync_id,
  CAST(sum(c.records) AS BIGINT) AS total,
  CAST(sum(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS BIGINT) AS rejected,
  CAST(round(CAST(CAST(sum(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS BIGINT) AS NUMERIC) / CAST(sum(c.records) AS BIGINT), 4) AS DOUBLE PRECISION) AS rejection_rate
FROM "synctrack"."run_outcome_counts" AS c
WHERE TRUE
GROUP BY day, c.org_id, c.sync_configuration_id
ORDER BY day DESC NULLS LAST, c.org_id, sync_id
