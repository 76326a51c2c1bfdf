-- Error fingerprints of one sync's latest n+1 runs, per run: what new errors are made of.
-- view: no
-- params: sync n
-- required: sync
WITH recent AS (
  SELECT o.sync_run_id, o.started_at
  FROM {{ runOutcomes }} AS o
  WHERE o.sync_id = {{ param "sync" }}
  ORDER BY o.started_at DESC, o.sync_run_id DESC
  LIMIT {{ or (param "n") 6 }}
)
SELECT
  f.sync_run_id,
  min(rr.started_at) AS started_at,
  f.fingerprint,
  min(f.status_message) AS example,
  sum(f.records) AS records
FROM {{ fingerprintCounts }} AS f
JOIN recent AS rr ON rr.sync_run_id = f.sync_run_id
WHERE f.sync_configuration_id = {{ param "sync" }} AND f.outcome = 'rejected'
GROUP BY f.sync_run_id, f.fingerprint
