-- Records whose outcome changed at least twice across the recent runs of their sync.
-- A record's outcome in a run is its worst row there (rejected, then invalid, then
-- success); n is how many recent runs to look at (default 5), ordered by their first
-- batch start. outcomes lists the record's outcome per run, oldest first. Rows
-- without an identifier are left out: they are no one record to follow.
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
  FROM {{ table "sync_log" }} AS l
  WHERE TRUE
{{- with param "sync" }}
    AND l.sync_id = {{ . }}
{{- end }}
  GROUP BY l.org_id, l.sync_id, l.sync_run_id
),
per_run AS (
  SELECT
    l.org_id,
    l.sync_id,
    l.record_identifier,
    r.run_rank,
    max(CASE l.outcome WHEN 'rejected' THEN 3 WHEN 'invalid' THEN 2 ELSE 1 END) AS severity
  FROM {{ table "sync_log" }} AS l
  JOIN run_order AS r ON r.org_id = l.org_id AND r.sync_id = l.sync_id AND r.sync_run_id = l.sync_run_id
  WHERE r.run_rank <= {{ or (param "n") 5 }}
    AND l.record_identifier IS NOT NULL
  GROUP BY l.org_id, l.sync_id, l.record_identifier, r.run_rank
),
steps AS (
  SELECT
    p.org_id,
    p.sync_id,
    p.record_identifier,
    p.run_rank,
    CASE p.severity WHEN 3 THEN 'rejected' WHEN 2 THEN 'invalid' ELSE 'success' END AS outcome,
    CASE WHEN lag(p.severity) OVER (
      PARTITION BY p.org_id, p.sync_id, p.record_identifier ORDER BY p.run_rank DESC
    ) <> p.severity THEN 1 ELSE 0 END AS changed
  FROM per_run AS p
)
SELECT
  org_id,
  sync_id,
  record_identifier,
  count(*) AS runs,
  {{ countIf "changed = 1" }} AS changes,
  {{ stringAgg "outcome" "," "run_rank DESC" }} AS outcomes
FROM steps
GROUP BY org_id, sync_id, record_identifier
HAVING {{ countIf "changed = 1" }} >= 2
ORDER BY changes DESC, org_id, sync_id, record_identifier NULLS LAST
{{- with param "limit" }}
LIMIT {{ . }}
{{- end }}
