-- rendered with parameters: new_errors
-- Rejection fingerprints in the latest run of each sync that its previous n runs did not have.
-- Runs are ordered by their first batch start; n defaults to 5. A sync with a single
-- run reports every fingerprint it has. Fingerprints as in rejections_by_fingerprint.
-- params: sync n limit
WITH run_order AS (
  SELECT
    l.org_id,
    l.sync_id,
    l.sync_run_id,
    row_number() OVER (
      PARTITION BY l.org_id, l.sync_id
      ORDER BY min(l.batch_started_at) DESC NULLS LAST, l.sync_run_id DESC
    ) AS run_rank
  FROM "SYNCTRACK"."SYNC_LOG" AS l
  WHERE TRUE
    AND l.sync_id = '52275'
  GROUP BY l.org_id, l.sync_id, l.sync_run_id
),
errors AS (
  SELECT
    l.org_id,
    l.sync_id,
    l.sync_run_id,
    r.run_rank,
    REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(l.status_message, '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}', '<uuid>'), '[A-Za-z0-9._%+-]*@[A-Za-z0-9._%+@-]*', '<email>'), '''[^'']*''', '''<v>'''), '[A-Za-z0-9_-]+([.][A-Za-z0-9_-]+)+[.][a-z]{2,}', '<host>'), '(^|[^A-Za-z0-9])([A-Za-z]+[0-9]|[0-9]+[A-Za-z]|[A-Za-z]+[-_][0-9])[A-Za-z0-9]*', '\\1<id>'), '(^|[^A-Za-z0-9])-?[0-9]+([.][0-9]+)?', '\\1<n>') AS fingerprint,
    l.status_message,
    l.record_identifier
  FROM "SYNCTRACK"."SYNC_LOG" AS l
  JOIN run_order AS r ON r.org_id = l.org_id AND r.sync_id = l.sync_id AND r.sync_run_id = l.sync_run_id
  WHERE l.outcome = 'rejected' AND r.run_rank <= 1 + 3
)
-- A fingerprint is new when none of its rows is older than the latest run
-- (max(run_rank) = 1); then all its rows are the latest run's, so min() of
-- their run id is that run. One aggregate instead of an anti-join against the
-- previous runs' fingerprints: GROUP BY puts NULL with NULL on every engine,
-- and there is no join for PostgreSQL to run as a nested loop (it estimates
-- errors at a few rows; the anti-join took over 9 minutes on 4.3M rows).
SELECT
  e.org_id,
  e.sync_id,
  min(e.sync_run_id) AS sync_run_id,
  e.fingerprint,
  count(*) AS rejected,
  count(DISTINCT e.record_identifier) AS records,
  min(e.status_message) AS example_message
FROM errors AS e
GROUP BY e.org_id, e.sync_id, e.fingerprint
HAVING max(e.run_rank) = 1
ORDER BY rejected DESC, e.org_id, e.sync_id, e.fingerprint NULLS LAST
LIMIT 50

-- rendered as a view, without parameters
-- Rejection fingerprints in the latest run of each sync that its previous n runs did not have.
-- Runs are ordered by their first batch start; n defaults to 5. A sync with a single
-- run reports every fingerprint it has. Fingerprints as in rejections_by_fingerprint.
-- params: sync n limit
WITH run_order AS (
  SELECT
    l.org_id,
    l.sync_id,
    l.sync_run_id,
    row_number() OVER (
      PARTITION BY l.org_id, l.sync_id
      ORDER BY min(l.batch_started_at) DESC NULLS LAST, l.sync_run_id DESC
    ) AS run_rank
  FROM "SYNCTRACK"."SYNC_LOG" AS l
  WHERE TRUE
  GROUP BY l.org_id, l.sync_id, l.sync_run_id
),
errors AS (
  SELECT
    l.org_id,
    l.sync_id,
    l.sync_run_id,
    r.run_rank,
    REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(l.status_message, '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}', '<uuid>'), '[A-Za-z0-9._%+-]*@[A-Za-z0-9._%+@-]*', '<email>'), '''[^'']*''', '''<v>'''), '[A-Za-z0-9_-]+([.][A-Za-z0-9_-]+)+[.][a-z]{2,}', '<host>'), '(^|[^A-Za-z0-9])([A-Za-z]+[0-9]|[0-9]+[A-Za-z]|[A-Za-z]+[-_][0-9])[A-Za-z0-9]*', '\\1<id>'), '(^|[^A-Za-z0-9])-?[0-9]+([.][0-9]+)?', '\\1<n>') AS fingerprint,
    l.status_message,
    l.record_identifier
  FROM "SYNCTRACK"."SYNC_LOG" AS l
  JOIN run_order AS r ON r.org_id = l.org_id AND r.sync_id = l.sync_id AND r.sync_run_id = l.sync_run_id
  WHERE l.outcome = 'rejected' AND r.run_rank <= 1 + 5
)
-- A fingerprint is new when none of its rows is older than the latest run
-- (max(run_rank) = 1); then all its rows are the latest run's, so min() of
-- their run id is that run. One aggregate instead of an anti-join against the
-- previous runs' fingerprints: GROUP BY puts NULL with NULL on every engine,
-- and there is no join for PostgreSQL to run as a nested loop (it estimates
-- errors at a few rows; the anti-join took over 9 minutes on 4.3M rows).
SELECT
  e.org_id,
  e.sync_id,
  min(e.sync_run_id) AS sync_run_id,
  e.fingerprint,
  count(*) AS rejected,
  count(DISTINCT e.record_identifier) AS records,
  min(e.status_message) AS example_message
FROM errors AS e
GROUP BY e.org_id, e.sync_id, e.fingerprint
HAVING max(e.run_rank) = 1
ORDER BY rejected DESC, e.org_id, e.sync_id, e.fingerprint NULLS LAST
