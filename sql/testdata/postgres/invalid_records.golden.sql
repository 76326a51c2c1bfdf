-- rendered with parameters: invalid_records
-- The invalid-data checks per run: NULL, DUPLICATE, and rows without a status.
-- invalid_check is the status as written, or "(no status)" for SQL NULL; a status that
-- is neither succeeded nor rejected counts here too.
-- params: sync run since limit
SELECT
  l.org_id,
  l.sync_id,
  l.sync_run_id,
  coalesce(l.status, '(no status)') AS invalid_check,
  count(*) AS invalid,
  count(DISTINCT l.record_identifier) AS records,
  min(l.record_identifier) AS example_identifier,
  min(l.status_message) AS example_message
FROM "synctrack"."sync_log" AS l
WHERE l.outcome = 'invalid'
  AND l.sync_id = '52275'
  AND l.sync_run_id = '8867293'
  AND l.batch_started_at >= CAST('2026-01-05 00:00:00.000000+00:00' AS TIMESTAMPTZ)
GROUP BY l.org_id, l.sync_id, l.sync_run_id, invalid_check
ORDER BY l.org_id, l.sync_id, l.sync_run_id, invalid_check
LIMIT 50

-- rendered as a view, without parameters
-- The invalid-data checks per run: NULL, DUPLICATE, and rows without a status.
-- invalid_check is the status as written, or "(no status)" for SQL NULL; a status that
-- is neither succeeded nor rejected counts here too.
-- params: sync run since limit
SELECT
  l.org_id,
  l.sync_id,
  l.sync_run_id,
  coalesce(l.status, '(no status)') AS invalid_check,
  count(*) AS invalid,
  count(DISTINCT l.record_identifier) AS records,
  min(l.record_identifier) AS example_identifier,
  min(l.status_message) AS example_message
FROM "synctrack"."sync_log" AS l
WHERE l.outcome = 'invalid'
GROUP BY l.org_id, l.sync_id, l.sync_run_id, invalid_check
ORDER BY l.org_id, l.sync_id, l.sync_run_id, invalid_check
