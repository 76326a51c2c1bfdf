-- rendered with parameters: rejections_by_message
-- Rejected records grouped by status message, with their identifiers: the seed's query.
-- One row per status_message of rejected records (NULL is a message too): how many
-- rejected rows carry it and every identifier, sorted (NULL identifiers left out).
-- params: sync run since limit
SELECT
  l.status_message,
  count(*) AS rejected,
  ARRAY_AGG(l.record_identifier) WITHIN GROUP (ORDER BY l.record_identifier) AS identifiers
FROM "SYNCTRACK"."SYNC_LOG" AS l
WHERE l.outcome = 'rejected'
  AND l.sync_id = '52275'
  AND l.sync_run_id = '8867293'
  AND l.batch_started_at >= CAST('2026-01-05 00:00:00.000000+00:00' AS TIMESTAMP_TZ)
GROUP BY l.status_message
ORDER BY rejected DESC, l.status_message NULLS LAST
LIMIT 50

-- rendered as a view, without parameters
-- Rejected records grouped by status message, with their identifiers: the seed's query.
-- One row per status_message of rejected records (NULL is a message too): how many
-- rejected rows carry it and every identifier, sorted (NULL identifiers left out).
-- params: sync run since limit
SELECT
  l.status_message,
  count(*) AS rejected,
  ARRAY_AGG(l.record_identifier) WITHIN GROUP (ORDER BY l.record_identifier) AS identifiers
FROM "SYNCTRACK"."SYNC_LOG" AS l
WHERE l.outcome = 'rejected'
GROUP BY l.status_message
ORDER BY rejected DESC, l.status_message NULLS LAST
