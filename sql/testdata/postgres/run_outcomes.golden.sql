-- rendered with parameters: run_outcomes
-- One row per run: its start, files, and records by outcome with the rejection rate.
-- When it started is its earliest batch; the outcomes are success, rejected and invalid.
-- Reads run_outcome_counts only, which every load writes with the rows: what pages
-- and dashboards read per run without scanning sync_records.
-- params: sync run since limit
SELECT
  c.org_id,
  c.sync_configuration_id AS sync_id,
  c.sync_run_id,
  min(c.batch_started_at) AS started_at,
  count(DISTINCT c._file) AS files,
  CAST(sum(c.records) AS BIGINT) AS total,
  CAST(sum(CASE WHEN c.outcome = 'success' THEN c.records ELSE 0 END) AS BIGINT) AS succeeded,
  CAST(sum(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS BIGINT) AS rejected,
  CAST(sum(CASE WHEN c.outcome = 'invalid' THEN c.records ELSE 0 END) AS BIGINT) AS invalid,
  CAST(round(CAST(CAST(sum(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS BIGINT) AS NUMERIC) / CAST(sum(c.records) AS BIGINT), 4) AS DOUBLE PRECISION) AS rejection_rate
FROM "synctrack"."run_outcome_counts" AS c
WHERE TRUE
  AND c.sync_configuration_id = '52275'
  AND c.sync_run_id = '8867293'
  AND c.batch_started_at >= CAST('2026-01-05 00:00:00.000000+00:00' AS TIMESTAMPTZ)
GROUP BY c.org_id, c.sync_configuration_id, c.sync_run_id
ORDER BY started_at DESC NULLS LAST, c.org_id, sync_id, c.sync_run_id
LIMIT 50

-- rendered as a view, without parameters
-- One row per run: its start, files, and records by outcome with the rejection rate.
-- When it started is its earliest batch; the outcomes are success, rejected and invalid.
-- Reads run_outcome_counts only, which every load writes with the rows: what pages
-- and dashboards read per run without scanning sync_records.
-- params: sync run since limit
SELECT
  c.org_id,
  c.sync_configuration_id AS sync_id,
  c.sync_run_id,
  min(c.batch_started_at) AS started_at,
  count(DISTINCT c._file) AS files,
  CAST(sum(c.records) AS BIGINT) AS total,
  CAST(sum(CASE WHEN c.outcome = 'success' THEN c.records ELSE 0 END) AS BIGINT) AS succeeded,
  CAST(sum(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS BIGINT) AS rejected,
  CAST(sum(CASE WHEN c.outcome = 'invalid' THEN c.records ELSE 0 END) AS BIGINT) AS invalid,
  CAST(round(CAST(CAST(sum(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS BIGINT) AS NUMERIC) / CAST(sum(c.records) AS BIGINT), 4) AS DOUBLE PRECISION) AS rejection_rate
FROM "synctrack"."run_outcome_counts" AS c
WHERE TRUE
GROUP BY c.org_id, c.sync_configuration_id, c.sync_run_id
ORDER BY started_at DESC NULLS LAST, c.org_id, sync_id, c.sync_run_id
