-- rendered with parameters: rejections_by_message
-- Rejected records grouped by status message, with their identifiers: the seed's query.
-- One row per status_message of rejected records (NULL is a message too): how many
-- rejected rows carry it and every identifier, sorted (NULL identifiers left out).
-- params: sync run since limit
SELECT
  l.status_message,
  count(*) AS rejected,
  array_agg(l.record_identifier ORDER BY l.record_identifier) FILTER (WHERE l.record_identifier IS NOT NULL) AS identifiers
FROM "synctrack"."sync_log" AS l
WHERE l.outcome = 'rejected'
  AND l.sync_id = '52275'
  AND l.sync_run_id = '8867293'
  AND l.batch_started_at >= CAST('2026-01-05 00:00:00.000000+00:00' AS TIMESTAMPTZ)
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
  array_agg(l.record_identifier ORDER BY l.record_identifier) FILTER (WHERE l.record_identifier IS NOT NULL) AS identifiers
FROM "synctrack"."sync_log" AS l
WHERE l.outcome = 'rejected'
GROUP BY l.status_message
ORDER BY rejected DESC, l.status_message NULLS LAST
