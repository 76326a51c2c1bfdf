-- rendered with parameters: rejection_trend
-- Daily rejection rate per sync, by the UTC day each batch started.
-- params: sync since limit
SELECT
  CAST(timezone('UTC', l.batch_started_at) AS DATE) AS day,
  l.org_id,
  l.sync_id,
  count(*) AS total,
  count(*) FILTER (WHERE l.outcome = 'rejected') AS rejected,
  CAST(round(CAST(count(*) FILTER (WHERE l.outcome = 'rejected') AS NUMERIC) / count(*), 4) AS DOUBLE PRECISION) AS rejection_rate
FROM "synctrack"."sync_log" AS l
WHERE TRUE
  AND l.sync_id = '52275'
  AND l.batch_started_at >= CAST('2026-01-05 00:00:00.000000+00:00' AS TIMESTAMPTZ)
GROUP BY day, l.org_id, l.sync_id
ORDER BY day DESC NULLS LAST, l.org_id, l.sync_id
LIMIT 50

-- rendered as a view, without parameters
-- Daily rejection rate per sync, by the UTC day each batch started.
-- params: sync since limit
SELECT
  CAST(timezone('UTC', l.batch_started_at) AS DATE) AS day,
  l.org_id,
  l.sync_id,
  count(*) AS total,
  count(*) FILTER (WHERE l.outcome = 'rejected') AS rejected,
  CAST(round(CAST(count(*) FILTER (WHERE l.outcome = 'rejected') AS NUMERIC) / count(*), 4) AS DOUBLE PRECISION) AS rejection_rate
FROM "synctrack"."sync_log" AS l
WHERE TRUE
GROUP BY day, l.org_id, l.sync_id
ORDER BY day DESC NULLS LAST, l.org_id, l.sync_id
