-- rendered with parameters: records
-- The record browser: sync_log rows by sync, run, outcome and identifier, newest first.
-- status is the outcome: success, rejected or invalid. synctrack records runs this.
-- file_from and file_to (set by the web pages' downloads, where the engine skips by them)
-- are the run's first and last file.
-- params: sync run status identifier since file_from file_to limit
-- view: no
SELECT
  l.batch_started_at,
  l.org_id,
  l.sync_id,
  l.sync_run_id,
  l.record_identifier,
  l.outcome,
  l.status,
  l.status_message,
  l.operation,
  l.record_payload,
  l.batch_completed_at,
  l.log_id,
  l._file
FROM `synctrack`.`sync_log` AS l
WHERE TRUE
  AND l.sync_id = '52275'
  AND l.sync_run_id = '8867293'
  AND l.outcome = 'rejected'
  AND l.record_identifier = 'CUST-1042'
  AND l.batch_started_at >= CAST('2026-01-05 00:00:00.000000+00:00' AS TIMESTAMP)
  AND l._file >= 'sync_tracking_datasets/1001/52275/8867293/records_deleted.0.parquet'
  AND l._file <= 'sync_tracking_datasets/1001/52275/8867293/records_updated.2.parquet'
ORDER BY l.batch_started_at DESC NULLS LAST, l.log_id
LIMIT 50
