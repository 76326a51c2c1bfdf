-- rendered with parameters: top_errors_by_destination
-- The most frequent rejection fingerprints per destination and destination object.
-- Fingerprints as in rejections_by_fingerprint; n is how many to keep per
-- destination object (default 5), ranked by rejected rows. Names come from the fact
-- tables through left joins, NULL while the facts lag a new destination.
-- params: sync run since n limit
WITH errors AS (
  SELECT
    l.org_id,
    l.destination_id,
    l.destination_object_id,
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(l.status_message, '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}', '<uuid>', 'g'), '[A-Za-z0-9._%+-]*@[A-Za-z0-9._%+@-]*', '<email>', 'g'), '''[^'']*''', '''<v>''', 'g'), '[A-Za-z0-9_-]+([.][A-Za-z0-9_-]+)+[.][a-z]{2,}', '<host>', 'g'), '(^|[^A-Za-z0-9])([A-Za-z]+[0-9]|[0-9]+[A-Za-z]|[A-Za-z]+[-_][0-9])[A-Za-z0-9]*', '\1<id>', 'g'), '(^|[^A-Za-z0-9])-?[0-9]+([.][0-9]+)?', '\1<n>', 'g') AS fingerprint,
    count(*) AS rejected,
    count(DISTINCT l.record_identifier) AS records,
    min(l.status_message) AS example_message
  FROM "synctrack"."sync_log" AS l
  WHERE l.outcome = 'rejected'
    AND l.sync_id = '52275'
    AND l.sync_run_id = '8867293'
    AND l.batch_started_at >= CAST('2026-01-05 00:00:00.000000+00:00' AS TIMESTAMPTZ)
  GROUP BY l.org_id, l.destination_id, l.destination_object_id, fingerprint
),
ranked AS (
  SELECT
    e.*,
    row_number() OVER (
      PARTITION BY e.org_id, e.destination_id, e.destination_object_id
      ORDER BY e.rejected DESC, e.fingerprint NULLS LAST
    ) AS error_rank
  FROM errors AS e
)
SELECT
  r.org_id,
  r.destination_id,
  d.name AS destination_name,
  d.type AS destination_type,
  r.destination_object_id,
  dobj.name AS destination_object_name,
  r.error_rank,
  r.fingerprint,
  r.rejected,
  r.records,
  r.example_message
FROM ranked AS r
LEFT JOIN "synctrack"."destinations" AS d ON d.org_id = r.org_id AND d.id = r.destination_id
LEFT JOIN "synctrack"."destination_objects" AS dobj ON dobj.org_id = r.org_id AND dobj.id = r.destination_object_id
WHERE r.error_rank <= 3
ORDER BY r.org_id, r.destination_id NULLS LAST, r.destination_object_id NULLS LAST, r.error_rank
LIMIT 50

-- rendered as a view, without parameters
-- The most frequent rejection fingerprints per destination and destination object.
-- Fingerprints as in rejections_by_fingerprint; n is how many to keep per
-- destination object (default 5), ranked by rejected rows. Names come from the fact
-- tables through left joins, NULL while the facts lag a new destination.
-- params: sync run since n limit
WITH errors AS (
  SELECT
    l.org_id,
    l.destination_id,
    l.destination_object_id,
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(l.status_message, '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}', '<uuid>', 'g'), '[A-Za-z0-9._%+-]*@[A-Za-z0-9._%+@-]*', '<email>', 'g'), '''[^'']*''', '''<v>''', 'g'), '[A-Za-z0-9_-]+([.][A-Za-z0-9_-]+)+[.][a-z]{2,}', '<host>', 'g'), '(^|[^A-Za-z0-9])([A-Za-z]+[0-9]|[0-9]+[A-Za-z]|[A-Za-z]+[-_][0-9])[A-Za-z0-9]*', '\1<id>', 'g'), '(^|[^A-Za-z0-9])-?[0-9]+([.][0-9]+)?', '\1<n>', 'g') AS fingerprint,
    count(*) AS rejected,
    count(DISTINCT l.record_identifier) AS records,
    min(l.status_message) AS example_message
  FROM "synctrack"."sync_log" AS l
  WHERE l.outcome = 'rejected'
  GROUP BY l.org_id, l.destination_id, l.destination_object_id, fingerprint
),
ranked AS (
  SELECT
    e.*,
    row_number() OVER (
      PARTITION BY e.org_id, e.destination_id, e.destination_object_id
      ORDER BY e.rejected DESC, e.fingerprint NULLS LAST
    ) AS error_rank
  FROM errors AS e
)
SELECT
  r.org_id,
  r.destination_id,
  d.name AS destination_name,
  d.type AS destination_type,
  r.destination_object_id,
  dobj.name AS destination_object_name,
  r.error_rank,
  r.fingerprint,
  r.rejected,
  r.records,
  r.example_message
FROM ranked AS r
LEFT JOIN "synctrack"."destinations" AS d ON d.org_id = r.org_id AND d.id = r.destination_id
LEFT JOIN "synctrack"."destination_objects" AS dobj ON dobj.org_id = r.org_id AND dobj.id = r.destination_object_id
WHERE r.error_rank <= 5
ORDER BY r.org_id, r.destination_id NULLS LAST, r.destination_object_id NULLS LAST, r.error_rank
