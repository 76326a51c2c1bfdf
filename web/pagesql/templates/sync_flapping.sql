-- Records of one sync whose outcome changed at least twice over its latest n runs.
-- A record's outcome in a run is its worst row there (rejected, then invalid, then success).
-- Rows without an identifier are left out (no one record). Reads only those runs' rows. outcomes lists them oldest first. file_from and file_to, where
-- the engine skips by them (PostgreSQL), are the sync's first and last file.
-- view: no
-- params: sync n file_from file_to limit
-- required: sync
WITH recent AS (
  SELECT o.sync_run_id, o.started_at
  FROM {{ runOutcomes }} AS o
  WHERE o.sync_id = {{ param "sync" }}
  ORDER BY o.started_at DESC NULLS LAST, o.sync_run_id DESC
  LIMIT {{ or (param "n") 5 }}
),
per_run AS (
  SELECT
    r.identifier,
    rr.started_at,
    r.sync_run_id,
    max(CASE lower(r.status) WHEN 'rejected' THEN 3 WHEN 'succeeded' THEN 1 ELSE 2 END) AS severity
  FROM {{ table "sync_records" }} AS r
  JOIN recent AS rr ON rr.sync_run_id = r.sync_run_id
  WHERE r.sync_configuration_id = {{ param "sync" }}
    AND r.identifier IS NOT NULL
    -- Implied by the join (a run starts at its first batch); said so that
    -- engines skip older row groups or partitions before joining.
    AND r.batch_started_at >= (SELECT min(started_at) FROM recent)
{{- with param "file_from" }}
    AND r._file >= {{ . }}
{{- end }}
{{- with param "file_to" }}
    AND r._file <= {{ . }}
{{- end }}
  GROUP BY r.identifier, rr.started_at, r.sync_run_id
),
-- Only a record with two outcomes among those runs can have changed twice. Told by
-- window, not by joining a list of such records back: without statistics for the sync
-- (a first load, a new sync) PostgreSQL expected one row and joined by nested loops,
-- minutes for a sync of 80,000 records.
spread AS (
  SELECT
    p.*,
    min(p.severity) OVER (PARTITION BY p.identifier) AS least_severity,
    max(p.severity) OVER (PARTITION BY p.identifier) AS most_severity
  FROM per_run AS p
),
steps AS (
  SELECT
    p.identifier,
    p.started_at,
    p.sync_run_id,
    CASE p.severity WHEN 3 THEN 'rejected' WHEN 2 THEN 'invalid' ELSE 'success' END AS outcome,
    CASE WHEN lag(p.severity) OVER (PARTITION BY p.identifier ORDER BY p.started_at, p.sync_run_id) <> p.severity
      THEN 1 ELSE 0 END AS changed
  FROM spread AS p
  WHERE p.least_severity <> p.most_severity
)
SELECT
  s.identifier AS record_identifier,
  count(*) AS runs,
  sum(s.changed) AS changes,
  {{ stringAgg "s.outcome" "," "s.started_at, s.sync_run_id" }} AS outcomes
FROM steps AS s
GROUP BY s.identifier
HAVING sum(s.changed) >= 2
ORDER BY changes DESC, s.identifier
LIMIT {{ or (param "limit") 10 }}
