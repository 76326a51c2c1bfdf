-- One sync's error fingerprints over all its runs: records, runs, first and last seen, an example message.
-- view: no
-- params: sync limit
-- required: sync
SELECT
  f.fingerprint,
  min(f.status_message) AS example,
  sum(f.records) AS records,
  count(DISTINCT f.sync_run_id) AS runs,
  min(f.batch_started_at) AS first_seen,
  max(f.batch_started_at) AS last_seen
FROM {{ fingerprintCounts }} AS f
WHERE f.sync_configuration_id = {{ param "sync" }} AND f.outcome <> 'success' AND f.status_message IS NOT NULL
GROUP BY f.fingerprint
ORDER BY records DESC, f.fingerprint
LIMIT {{ or (param "limit") 200 }}
