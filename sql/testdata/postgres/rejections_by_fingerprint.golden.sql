-- rendered with parameters: rejections_by_fingerprint
-- Rejected records grouped by message fingerprint: one error about many different values.
-- The fingerprint is status_message with UUIDs, emails, single-quoted values, host
-- names, ids mixing letters and digits, and numbers replaced by <uuid>, <email>, '<v>',
-- <host>, <id> and <n>; double-quoted names (fields, properties) are kept. Per
-- fingerprint: rejected rows, distinct messages and records, an example message, and
-- the first and last batch start.
-- params: sync run since limit
WITH rejected_rows AS (
  SELECT
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(l.status_message, '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}', '<uuid>', 'g'), '[A-Za-z0-9._%+-]*@[A-Za-z0-9._%+@-]*', '<email>', 'g'), '''[^'']*''', '''<v>''', 'g'), '[A-Za-z0-9_-]+([.][A-Za-z0-9_-]+)+[.][a-z]{2,}', '<host>', 'g'), '(^|[^A-Za-z0-9])([A-Za-z]+[0-9]|[0-9]+[A-Za-z]|[A-Za-z]+[-_][0-9])[A-Za-z0-9]*', '\1<id>', 'g'), '(^|[^A-Za-z0-9])-?[0-9]+([.][0-9]+)?', '\1<n>', 'g') AS fingerprint,
    l.status_message,
    l.record_identifier,
    l.batch_started_at
  FROM "synctrack"."sync_log" AS l
  WHERE l.outcome = 'rejected'
    AND l.sync_id = '52275'
    AND l.sync_run_id = '8867293'
    AND l.batch_started_at >= CAST('2026-01-05 00:00:00.000000+00:00' AS TIMESTAMPTZ)
)
SELECT
  fingerprint,
  count(*) AS rejected,
  count(DISTINCT status_message) AS messages,
  count(DISTINCT record_identifier) AS records,
  min(status_message) AS example_message,
  min(batch_started_at) AS first_seen,
  max(batch_started_at) AS last_seen
FROM rejected_rows
GROUP BY fingerprint
ORDER BY rejected DESC, fingerprint NULLS LAST
LIMIT 50

-- rendered as a view, without parameters
-- Rejected records grouped by message fingerprint: one error about many different values.
-- The fingerprint is status_message with UUIDs, emails, single-quoted values, host
-- names, ids mixing letters and digits, and numbers replaced by <uuid>, <email>, '<v>',
-- <host>, <id> and <n>; double-quoted names (fields, properties) are kept. Per
-- fingerprint: rejected rows, distinct messages and records, an example message, and
-- the first and last batch start.
-- params: sync run since limit
WITH rejected_rows AS (
  SELECT
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(l.status_message, '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}', '<uuid>', 'g'), '[A-Za-z0-9._%+-]*@[A-Za-z0-9._%+@-]*', '<email>', 'g'), '''[^'']*''', '''<v>''', 'g'), '[A-Za-z0-9_-]+([.][A-Za-z0-9_-]+)+[.][a-z]{2,}', '<host>', 'g'), '(^|[^A-Za-z0-9])([A-Za-z]+[0-9]|[0-9]+[A-Za-z]|[A-Za-z]+[-_][0-9])[A-Za-z0-9]*', '\1<id>', 'g'), '(^|[^A-Za-z0-9])-?[0-9]+([.][0-9]+)?', '\1<n>', 'g') AS fingerprint,
    l.status_message,
    l.record_identifier,
    l.batch_started_at
  FROM "synctrack"."sync_log" AS l
  WHERE l.outcome = 'rejected'
)
SELECT
  fingerprint,
  count(*) AS rejected,
  count(DISTINCT status_message) AS messages,
  count(DISTINCT record_identifier) AS records,
  min(status_message) AS example_message,
  min(batch_started_at) AS first_seen,
  max(batch_started_at) AS last_seen
FROM rejected_rows
GROUP BY fingerprint
ORDER BY rejected DESC, fingerprint NULLS LAST
