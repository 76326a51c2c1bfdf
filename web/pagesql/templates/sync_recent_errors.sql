-- Error fingerprints of one sync's latest n+1 runs, per run: what new errors are made of.
-- Runs are ordered as new_errors orders them: by start, NULL last, then id.
-- view: no
-- params: sync n
-- required: sync
WITH recent AS (
  SELECT o.sync_run_id, o.started_at
  FROM {{ runOutcomes }} AS o
  WHERE o.sync_id = {{ param "sync" }}
  ORDER BY o.started_at DESC NULLS LAST, o.sync_run_id DESC
  LIMIT {{ or (param "n") 6 }}
)
SELECT
  rr.sync_run_id,
  min(rr.started_at) AS started_at,
  f.fingerprint,
  min(f.status_message) AS example,
  sum(f.records) AS records
FROM recent AS rr
-- Every recent run is a row, one without rejections with records NULL: the
-- latest run is the latest of them all, not the latest that has errors.
LEFT JOIN {{ fingerprintCounts }} AS f
  ON f.sync_run_id = rr.sync_run_id AND f.sync_configuration_id = {{ param "sync" }} AND f.outcome = 'rejected'
GROUP BY rr.sync_run_id, f.fingerprint
