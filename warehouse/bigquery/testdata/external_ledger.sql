DECLARE _st_files DEFAULT (SELECT ARRAY_AGG(STRUCT(files_0 AS n, files_1 AS uri, files_2 AS key, files_3 AS org_id, files_4 AS sync_id, files_5 AS run_id, files_6 AS batch_type, files_7 AS batch_number, files_8 AS mtime) ORDER BY o) FROM `synctrack`.`_st_batch_CYCLE`);
DECLARE _st_ledger DEFAULT (SELECT ARRAY_AGG(STRUCT(ledger_0 AS key, ledger_1 AS etag, ledger_2 AS size, ledger_3 AS kind, ledger_4 AS status, ledger_5 AS `rows`, ledger_6 AS error, ledger_7 AS attempts, ledger_8 AS first_seen_at, ledger_9 AS loaded_at) ORDER BY o) FROM `synctrack`.`_st_batch_CYCLE`);
DECLARE _st_uris ARRAY<STRING>;
SET _st_uris = ARRAY(SELECT b.uri FROM UNNEST(_st_files) b WHERE b.uri IS NOT NULL);
SET _st_ledger = ARRAY(
  SELECT AS STRUCT l.* REPLACE (COALESCE(c.n, 0) AS `rows`)
  FROM UNNEST(_st_ledger) l
  LEFT JOIN (
    SELECT b.`key`, SUM(x.n) AS n FROM (
      SELECT _FILE_NAME AS uri, COUNT(*) AS n FROM `synctrack`.`sync_records_external` WHERE _FILE_NAME IN UNNEST(_st_uris) GROUP BY 1
    ) x JOIN UNNEST(_st_files) b ON b.uri = x.uri GROUP BY 1
  ) c ON c.`key` = l.`key`);
BEGIN TRANSACTION;
DELETE FROM `synctrack`.`run_outcome_counts` WHERE _file IN (SELECT b.key FROM UNNEST(_st_files) b);
DELETE FROM `synctrack`.`run_fingerprint_counts` WHERE _file IN (SELECT b.key FROM UNNEST(_st_files) b);
INSERT INTO `synctrack`.`run_outcome_counts` (org_id, sync_configuration_id, sync_run_id, batch_started_at, batch_ended_at, outcome, records, _file, _loaded_at)
SELECT org_id, sync_configuration_id, sync_run_id, batch_started_at, max(batch_ended_at),
  outcome, count(*), _file, TIMESTAMP '2026-01-05 09:00:00+00'
FROM (
  SELECT r.org_id, r.sync_configuration_id, r.sync_run_id, r.batch_started_at, r.batch_ended_at,
    CASE lower(r.status) WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END AS outcome, r._file, r._loaded_at
  FROM `synctrack`.`sync_records` AS r
  WHERE r._file IN (SELECT b.key FROM UNNEST(_st_files) b)
) AS x
GROUP BY org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, _file;
INSERT INTO `synctrack`.`run_fingerprint_counts` (org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, fingerprint, status_message, records, _file, _loaded_at)
SELECT org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, fingerprint,
  min(status_message), count(*), _file, TIMESTAMP '2026-01-05 09:00:00+00'
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
SELECT COALESCE(SUM(l.`rows`), 0) AS `rows` FROM UNNEST(_st_ledger) l;
