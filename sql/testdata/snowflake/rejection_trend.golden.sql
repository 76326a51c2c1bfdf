-- rendered with parameters: rejection_trend
-- Daily rejection rate per sync, by the UTC day each batch started.
-- params: sync since limit
SELECT
  TO_DATE(CONVERT_TIMEZONE('UTC', l.batch_started_at)) AS day,
  l.org_id,
  l.sync_id,
  count(*) AS total,
  COUNT_IF(l.outcome = 'rejected') AS rejected,
  round(COUNT_IF(l.outcome = 'rejected') / count(*), 4) AS rejection_rate
FROM "SYNCTRACK"."SYNC_LOG" AS l
WHERE TRUE
  AND l.sync_id = '52275'
  AND l.batch_started_at >= CAST('2026-01-05 00:00:00.000000+00:00' AS TIMESTAMP_TZ)
GROUP BY day, l.org_id, l.sync_id
ORDER BY day DESC NULLS LAST, l.org_id, l.sync_id
LIMIT 50

-- rendered as a view, without parameters
-- Daily rejection rate per sync, by the UTC day each batch started.
-- params: sync since limit
SELECT
  TO_DATE(CONVERT_TIMEZONE('UTC', l.batch_started_at)) AS day,
  l.org_id,
  l.sync_id,
  count(*) AS total,
  COUNT_IF(l.outcome = 'rejected') AS rejected,
  round(COUNT_IF(l.outcome = 'rejected') / count(*), 4) AS rejection_rate
FROM "SYNCTRACK"."SYNC_LOG" AS l
WHERE TRUE
GROUP BY day, l.org_id, l.sync_id
ORDER BY day DESC NULLS LAST, l.org_id, l.sync_id
