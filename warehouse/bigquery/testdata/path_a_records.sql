SELECT
  ARRAY(SELECT AS STRUCT * FROM `_st_file_0` LIMIT 0) AS `_st_file_0`,
  ARRAY(SELECT AS STRUCT * FROM `_st_file_1` LIMIT 0) AS `_st_file_1`,
  ARRAY(SELECT AS STRUCT * FROM `_st_file_2` LIMIT 0) AS `_st_file_2`,
  ARRAY(SELECT AS STRUCT * FROM `_st_file_3` LIMIT 0) AS `_st_file_3`,
  ARRAY(SELECT AS STRUCT * FROM `_st_file_4` LIMIT 0) AS `_st_file_4`,
  ARRAY(SELECT AS STRUCT * FROM `_st_file_5` LIMIT 0) AS `_st_file_5`;

DECLARE _st_files DEFAULT (SELECT ARRAY_AGG(STRUCT(files_0 AS n, files_1 AS uri, files_2 AS key, files_3 AS org_id, files_4 AS sync_id, files_5 AS run_id, files_6 AS batch_type, files_7 AS batch_number, files_8 AS mtime) ORDER BY o) FROM `synctrack`.`_st_batch_CYCLE`);
DECLARE _st_ledger DEFAULT (SELECT ARRAY_AGG(STRUCT(ledger_0 AS key, ledger_1 AS etag, ledger_2 AS size, ledger_3 AS kind, ledger_4 AS status, ledger_5 AS `rows`, ledger_6 AS error, ledger_7 AS attempts, ledger_8 AS first_seen_at, ledger_9 AS loaded_at) ORDER BY o) FROM `synctrack`.`_st_batch_CYCLE`);
DECLARE _st_uris ARRAY<STRING>;
CREATE OR REPLACE EXTERNAL TABLE `synctrack`.`_st_ext_CYCLE_0` (
  `identifier` STRING,
  `record_payload` STRING,
  `operation` STRING,
  `status` STRING,
  `status_message` STRING,
  `batch_started_at` TIMESTAMP,
  `batch_ended_at` TIMESTAMP,
  `sync_configuration_id` STRING,
  `sync_run_id` STRING
)
OPTIONS (format = 'PARQUET', uris = ['gs://sync-logs/sync_tracking_datasets/1001/52275/r1/records_added.0.parquet', 'gs://sync-logs/sync_tracking_datasets/1001/52275/r1/records_added.1.parquet'], expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 1 DAY));
CREATE OR REPLACE EXTERNAL TABLE `synctrack`.`_st_ext_CYCLE_1` (
  `identifier` INT64,
  `record_payload` STRING,
  `operation` STRING,
  `status` STRING,
  `status_message` STRING,
  `batch_started_at` DATETIME,
  `batch_ended_at` DATETIME
)
OPTIONS (format = 'PARQUET', uris = ['gs://sync-logs/sync_tracking_datasets/1001/52275/r1/records_added.2.parquet', 'gs://sync-logs/sync_tracking_datasets/1001/52275/r1/records_added.3.parquet'], expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 1 DAY));
CREATE OR REPLACE EXTERNAL TABLE `synctrack`.`_st_ext_CYCLE_2` (
  `identifier` STRING,
  `record_payload` STRING,
  `operation` STRING,
  `status` STRING,
  `status_message` STRING,
  `batch_started_at` TIMESTAMP,
  `batch_ended_at` TIMESTAMP,
  `sync_configuration_id` STRING,
  `sync_run_id` STRING,
  `retry_count` INT64
)
OPTIONS (format = 'PARQUET', uris = ['gs://sync-logs/sync_tracking_datasets/1001/52275/r1/records_added.4.parquet', 'gs://sync-logs/sync_tracking_datasets/1001/52275/r1/records_added.5.parquet'], expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 1 DAY));
SET _st_uris = ARRAY(SELECT b.uri FROM UNNEST(_st_files) b WHERE b.uri IS NOT NULL);
SET _st_ledger = ARRAY(
  SELECT AS STRUCT l.* REPLACE (COALESCE(c.n, 0) AS `rows`)
  FROM UNNEST(_st_ledger) l
  LEFT JOIN (
    SELECT b.`key`, SUM(x.n) AS n FROM (
      SELECT _FILE_NAME AS uri, COUNT(*) AS n FROM `synctrack`.`_st_ext_CYCLE_0` WHERE _FILE_NAME IN UNNEST(_st_uris) GROUP BY 1
      UNION ALL
      SELECT _FILE_NAME AS uri, COUNT(*) AS n FROM `synctrack`.`_st_ext_CYCLE_1` WHERE _FILE_NAME IN UNNEST(_st_uris) GROUP BY 1
      UNION ALL
      SELECT _FILE_NAME AS uri, COUNT(*) AS n FROM `synctrack`.`_st_ext_CYCLE_2` WHERE _FILE_NAME IN UNNEST(_st_uris) GROUP BY 1
    ) x JOIN UNNEST(_st_files) b ON b.uri = x.uri GROUP BY 1
  ) c ON c.`key` = l.`key`);
BEGIN TRANSACTION;
DELETE FROM `synctrack`.`sync_records` WHERE _file IN (SELECT b.key FROM UNNEST(_st_files) b);
DELETE FROM `synctrack`.`run_outcome_counts` WHERE _file IN (SELECT b.key FROM UNNEST(_st_files) b);
DELETE FROM `synctrack`.`run_fingerprint_counts` WHERE _file IN (SELECT b.key FROM UNNEST(_st_files) b);
INSERT INTO `synctrack`.`sync_records` (`identifier`, `record_payload`, `operation`, `status`, `status_message`, `batch_started_at`, `batch_ended_at`, `sync_configuration_id`, `sync_run_id`, `org_id`, `batch_type`, `batch_number`, `_file`, `_row`, `_extra`, `_loaded_at`, `retry_count`)
SELECT
  t.`identifier`,
  COALESCE(SAFE.PARSE_JSON(t.`record_payload`), TO_JSON(t.`record_payload`)),
  t.`operation`,
  t.`status`,
  t.`status_message`,
  t.`batch_started_at`,
  t.`batch_ended_at`,
  COALESCE(t.`sync_configuration_id`, b.sync_id),
  COALESCE(t.`sync_run_id`, b.run_id),
  b.org_id,
  b.batch_type,
  b.batch_number,
  b.key,
  ROW_NUMBER() OVER (PARTITION BY b.key ORDER BY t.`identifier`, t.`batch_started_at`, t.`status`, t.`record_payload`) - 1,
  CAST(NULL AS JSON),
  TIMESTAMP '2026-01-05 09:00:00+00',
  CAST(NULL AS INT64)
FROM `synctrack`.`_st_ext_CYCLE_0` t
JOIN UNNEST(_st_files) b ON b.uri = _FILE_NAME
UNION ALL
SELECT
  CAST(t.`identifier` AS STRING),
  COALESCE(SAFE.PARSE_JSON(t.`record_payload`), TO_JSON(t.`record_payload`)),
  t.`operation`,
  t.`status`,
  t.`status_message`,
  TIMESTAMP(t.`batch_started_at`, 'UTC'),
  TIMESTAMP(t.`batch_ended_at`, 'UTC'),
  b.sync_id,
  b.run_id,
  b.org_id,
  b.batch_type,
  b.batch_number,
  b.key,
  ROW_NUMBER() OVER (PARTITION BY b.key ORDER BY CAST(t.`identifier` AS STRING), TIMESTAMP(t.`batch_started_at`, 'UTC'), t.`status`, t.`record_payload`) - 1,
  CAST(NULL AS JSON),
  TIMESTAMP '2026-01-05 09:00:00+00',
  CAST(NULL AS INT64)
FROM `synctrack`.`_st_ext_CYCLE_1` t
JOIN UNNEST(_st_files) b ON b.uri = _FILE_NAME
UNION ALL
SELECT
  t.`identifier`,
  COALESCE(SAFE.PARSE_JSON(t.`record_payload`), TO_JSON(t.`record_payload`)),
  t.`operation`,
  t.`status`,
  t.`status_message`,
  t.`batch_started_at`,
  t.`batch_ended_at`,
  COALESCE(t.`sync_configuration_id`, b.sync_id),
  COALESCE(t.`sync_run_id`, b.run_id),
  b.org_id,
  b.batch_type,
  b.batch_number,
  b.key,
  ROW_NUMBER() OVER (PARTITION BY b.key ORDER BY t.`identifier`, t.`batch_started_at`, t.`status`, t.`record_payload`) - 1,
  IF(t.`retry_count` IS NULL, NULL, TO_JSON(STRUCT(t.`retry_count` AS `retry_count`))),
  TIMESTAMP '2026-01-05 09:00:00+00',
  t.`retry_count`
FROM `synctrack`.`_st_ext_CYCLE_2` t
JOIN UNNEST(_st_files) b ON b.uri = _FILE_NAME;
INSERT INTO `synctrack`.`run_outcome_counts` (org_id, sync_configuration_id, sync_run_id, batch_started_at, batch_ended_at, outcome, records, _file, _loaded_at)
SELECT org_id, sync_configuration_id, sync_run_id, batch_started_at, max(batch_ended_at),
  outcome, count(*), _file, max(_loaded_at)
FROM (
  SELECT r.org_id, r.sync_configuration_id, r.sync_run_id, r.batch_started_at, r.batch_ended_at,
    CASE lower(r.status) WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END AS outcome, r._file, r._loaded_at
  FROM `synctrack`.`sync_records` AS r
  WHERE r._file IN (SELECT b.key FROM UNNEST(_st_files) b)
) AS x
GROUP BY org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, _file;
INSERT INTO `synctrack`.`run_fingerprint_counts` (org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, fingerprint, status_message, records, _file, _loaded_at)
SELECT org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, fingerprint,
  min(status_message), count(*), _file, max(_loaded_at)
FROM (
  SELECT r.org_id, r.sync_configuration_id, r.sync_run_id, r.batch_started_at,
    CASE lower(r.status) WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END AS outcome,
    REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(r.status_message, '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}', '<uuid>'), '[A-Za-z0-9._%+-]*@[A-Za-z0-9._%+@-]*', '<email>'), '\'[^\']*\'', '\'<v>\''), '[A-Za-z0-9_-]+([.][A-Za-z0-9_-]+)+[.][a-z]{2,}', '<host>'), '(^|[^A-Za-z0-9])([A-Za-z]+[0-9]|[0-9]+[A-Za-z]|[A-Za-z]+[-_][0-9])[A-Za-z0-9]*', '\\1<id>'), '(^|[^A-Za-z0-9])-?[0-9]+([.][0-9]+)?', '\\1<n>') AS fingerprint,
    r.status_message, r._file, r._loaded_at
  FROM `synctrack`.`sync_records` AS r
  WHERE (r._file IN (SELECT b.key FROM UNNEST(_st_files) b)) AND CASE lower(r.status) WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END <> 'success'
) AS x
GROUP BY org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, fingerprint, _file;
UPDATE `synctrack`.`load_ledger` o SET `status` = 'replaced'
WHERE ((o.`status` IN ('failed', 'quarantined') AND o.`key` IN (SELECT n.`key` FROM UNNEST(_st_ledger) n))
  OR (o.`status` = 'loaded' AND o.`key` IN (SELECT n.`key` FROM UNNEST(_st_ledger) n WHERE n.`status` = 'loaded')))
  AND NOT CONCAT(o.`etag`, '/', o.`key`) IN (SELECT CONCAT(n.`etag`, '/', n.`key`) FROM UNNEST(_st_ledger) n);
CREATE TEMP TABLE _st_seen AS SELECT o.`key`, o.`etag`, o.`first_seen_at`, o.`size`, o.`rows`, o.`loaded_at` FROM `synctrack`.`load_ledger` o WHERE CONCAT(o.`etag`, '/', o.`key`) IN (SELECT CONCAT(n.`etag`, '/', n.`key`) FROM UNNEST(_st_ledger) n);
DELETE FROM `synctrack`.`load_ledger` o WHERE CONCAT(o.`etag`, '/', o.`key`) IN (SELECT CONCAT(n.`etag`, '/', n.`key`) FROM UNNEST(_st_ledger) n);
INSERT INTO `synctrack`.`load_ledger` (`key`, `etag`, `size`, `kind`, `status`, `rows`, `error`, `attempts`, `first_seen_at`, `loaded_at`)
SELECT n.`key`, n.`etag`, CASE WHEN n.`status` = 'deleted' THEN s.`size` ELSE n.`size` END, n.`kind`, n.`status`, CASE WHEN n.`status` = 'deleted' THEN s.`rows` ELSE n.`rows` END, n.`error`, n.`attempts`, COALESCE(s.`first_seen_at`, n.`first_seen_at`), CASE WHEN n.`status` = 'deleted' THEN s.`loaded_at` ELSE n.`loaded_at` END
FROM UNNEST(_st_ledger) n LEFT JOIN _st_seen s ON s.`key` = n.`key` AND s.`etag` = n.`etag`;
COMMIT TRANSACTION;
DROP EXTERNAL TABLE IF EXISTS `synctrack`.`_st_ext_CYCLE_0`;
DROP EXTERNAL TABLE IF EXISTS `synctrack`.`_st_ext_CYCLE_1`;
DROP EXTERNAL TABLE IF EXISTS `synctrack`.`_st_ext_CYCLE_2`;
SELECT COALESCE(SUM(l.`rows`), 0) AS `rows` FROM UNNEST(_st_ledger) l;
