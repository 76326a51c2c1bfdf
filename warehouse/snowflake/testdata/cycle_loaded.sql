SELECT "KEY", "ETAG", "STATUS", COALESCE("ATTEMPTS", 0)
FROM "SYNCTRACK"."LOAD_LEDGER"
WHERE STARTSWITH("KEY", ?)
ORDER BY COLLATE("KEY", 'utf8');

CREATE SCHEMA IF NOT EXISTS "SYNCTRACK";

CREATE TABLE IF NOT EXISTS "SYNCTRACK"."SYNC_RECORDS" (
  "IDENTIFIER" VARCHAR,
  "RECORD_PAYLOAD" VARIANT,
  "OPERATION" VARCHAR,
  "STATUS" VARCHAR,
  "STATUS_MESSAGE" VARCHAR,
  "BATCH_STARTED_AT" TIMESTAMP_TZ,
  "BATCH_ENDED_AT" TIMESTAMP_TZ,
  "SYNC_CONFIGURATION_ID" VARCHAR,
  "SYNC_RUN_ID" VARCHAR,
  "ORG_ID" VARCHAR,
  "BATCH_TYPE" VARCHAR,
  "BATCH_NUMBER" NUMBER(38,0),
  "_FILE" VARCHAR,
  "_ROW" NUMBER(38,0),
  "_EXTRA" VARIANT,
  "_LOADED_AT" TIMESTAMP_TZ
)
ENABLE_SCHEMA_EVOLUTION = TRUE;

CREATE TABLE IF NOT EXISTS "SYNCTRACK"."SYNC_RUNS" (
  "ORG_ID" VARCHAR,
  "WORKSPACE_ID" VARCHAR,
  "SYNC_CONFIGURATION_ID" VARCHAR,
  "SYNC_RUN_ID" VARCHAR,
  "SOURCE_TYPE" VARCHAR,
  "SOURCE_OBJECT_ID" VARCHAR,
  "DESTINATION_TYPE" VARCHAR,
  "DESTINATION_ID" VARCHAR,
  "DESTINATION_OBJECT_ID" VARCHAR,
  "STARTED_AT" TIMESTAMP_TZ,
  "PAYLOAD_SCHEMA" VARIANT,
  "METADATA" VARIANT,
  "_FILE" VARCHAR,
  "_LOADED_AT" TIMESTAMP_TZ
);

CREATE TABLE IF NOT EXISTS "SYNCTRACK"."LOAD_LEDGER" (
  "KEY" VARCHAR,
  "ETAG" VARCHAR,
  "SIZE" NUMBER(38,0),
  "KIND" VARCHAR,
  "STATUS" VARCHAR,
  "ROWS" NUMBER(38,0),
  "ERROR" VARCHAR,
  "ATTEMPTS" NUMBER(38,0),
  "FIRST_SEEN_AT" TIMESTAMP_TZ,
  "LOADED_AT" TIMESTAMP_TZ
);

CREATE TABLE IF NOT EXISTS "SYNCTRACK"."PAYLOAD_COLUMNS" (
  "SYNC_CONFIGURATION_ID" VARCHAR,
  "VIEW_NAME" VARCHAR,
  "FIELD_NAME" VARCHAR,
  "COLUMN_NAME" VARCHAR,
  "COLUMN_TYPE" VARCHAR
);

CREATE TABLE IF NOT EXISTS "SYNCTRACK"."DESTINATION_OBJECTS" (
  "ID" VARCHAR,
  "TYPE" VARCHAR,
  "NAME" VARCHAR,
  "ORG_ID" VARCHAR,
  "_FILE" VARCHAR,
  "_LOADED_AT" TIMESTAMP_TZ
)
ENABLE_SCHEMA_EVOLUTION = TRUE;

CREATE TABLE IF NOT EXISTS "SYNCTRACK"."DESTINATIONS" (
  "ID" VARCHAR,
  "TYPE" VARCHAR,
  "NAME" VARCHAR,
  "ORG_ID" VARCHAR,
  "_FILE" VARCHAR,
  "_LOADED_AT" TIMESTAMP_TZ
)
ENABLE_SCHEMA_EVOLUTION = TRUE;

CREATE TABLE IF NOT EXISTS "SYNCTRACK"."SOURCE_OBJECTS" (
  "ID" VARCHAR,
  "TYPE" VARCHAR,
  "NAME" VARCHAR,
  "MODEL_ID" VARCHAR,
  "BUSINESS_OBJECT_ID" VARCHAR,
  "FILTER_SEGMENT_ID" VARCHAR,
  "COHORT_ID" VARCHAR,
  "ORG_ID" VARCHAR,
  "_FILE" VARCHAR,
  "_LOADED_AT" TIMESTAMP_TZ
)
ENABLE_SCHEMA_EVOLUTION = TRUE;

CREATE TABLE IF NOT EXISTS "SYNCTRACK"."RUN_OUTCOME_COUNTS" (
  "ORG_ID" VARCHAR,
  "SYNC_CONFIGURATION_ID" VARCHAR,
  "SYNC_RUN_ID" VARCHAR,
  "BATCH_STARTED_AT" TIMESTAMP_TZ,
  "BATCH_ENDED_AT" TIMESTAMP_TZ,
  "OUTCOME" VARCHAR,
  "RECORDS" NUMBER(38,0),
  "_FILE" VARCHAR,
  "_LOADED_AT" TIMESTAMP_TZ
);

CREATE TABLE IF NOT EXISTS "SYNCTRACK"."RUN_FINGERPRINT_COUNTS" (
  "ORG_ID" VARCHAR,
  "SYNC_CONFIGURATION_ID" VARCHAR,
  "SYNC_RUN_ID" VARCHAR,
  "BATCH_STARTED_AT" TIMESTAMP_TZ,
  "OUTCOME" VARCHAR,
  "FINGERPRINT" VARCHAR,
  "STATUS_MESSAGE" VARCHAR,
  "RECORDS" NUMBER(38,0),
  "_FILE" VARCHAR,
  "_LOADED_AT" TIMESTAMP_TZ
);

ALTER TABLE "SYNCTRACK"."SYNC_RUNS" ADD COLUMN IF NOT EXISTS "STATE" VARCHAR DEFAULT 'open';

ALTER TABLE "SYNCTRACK"."SYNC_RUNS" ADD COLUMN IF NOT EXISTS "COMPLETED_AT" TIMESTAMP_TZ;

CREATE TABLE IF NOT EXISTS "SYNCTRACK"."DAEMON_LEASE" (
  "NAME" VARCHAR,
  "HOLDER" VARCHAR,
  "EXPIRES_AT" TIMESTAMP_TZ,
  "ACQUIRED_AT" TIMESTAMP_TZ
);

CREATE OR REPLACE VIEW "SYNCTRACK"."SYNC_LOG" AS
SELECT
  MD5(r."_FILE" || '#' || r."_ROW"::VARCHAR) AS "LOG_ID",
  r."SYNC_CONFIGURATION_ID" AS "SYNC_ID",
  r."SYNC_RUN_ID",
  r."IDENTIFIER" AS "RECORD_IDENTIFIER",
  r."RECORD_PAYLOAD",
  r."BATCH_STARTED_AT",
  r."BATCH_ENDED_AT" AS "BATCH_COMPLETED_AT",
  r."OPERATION",
  r."STATUS",
  r."STATUS_MESSAGE",
  m."SOURCE_OBJECT_ID",
  m."DESTINATION_ID",
  m."DESTINATION_OBJECT_ID",
  r."ORG_ID",
  m."WORKSPACE_ID",
  CASE LOWER(r."STATUS") WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END AS "OUTCOME",
  r."_FILE",
  r."_ROW"
FROM "SYNCTRACK"."SYNC_RECORDS" r
LEFT JOIN "SYNCTRACK"."SYNC_RUNS" m
  ON m."ORG_ID" = r."ORG_ID" AND m."SYNC_CONFIGURATION_ID" = r."SYNC_CONFIGURATION_ID" AND m."SYNC_RUN_ID" = r."SYNC_RUN_ID";

SELECT "KEY", "ETAG", "STATUS", COALESCE("ATTEMPTS", 0)
FROM "SYNCTRACK"."LOAD_LEDGER"
WHERE STARTSWITH("KEY", ?)
ORDER BY COLLATE("KEY", 'utf8');

SELECT "KEY", "ETAG", "STATUS", COALESCE("ATTEMPTS", 0)
FROM "SYNCTRACK"."LOAD_LEDGER"
WHERE STARTSWITH("KEY", ?)
ORDER BY COLLATE("KEY", 'utf8');

BEGIN;

UPDATE "SYNCTRACK"."LOAD_LEDGER" l SET "STATUS" = 'replaced'
FROM (SELECT column1 AS "KEY", column2 AS "ETAG", column3 AS "SIZE", column4 AS "KIND", column5 AS "STATUS", column6 AS "ROWS", column7 AS "ERROR", column8 AS "ATTEMPTS", TO_TIMESTAMP_TZ(column9) AS "FIRST_SEEN_AT", TO_TIMESTAMP_TZ(column10) AS "LOADED_AT"
FROM VALUES
  ('sync_tracking_datasets/org1/52275/run2/_SUCCESS', '"d41d8cd98f00b204e9800998ecf8427e"', 0, 'ignored', 'skipped', 0, 'not Sync Tracking data: ignored', 1, '2025-11-20T08:30:00Z', NULL)) n
WHERE l."KEY" = n."KEY" AND l."ETAG" <> n."ETAG"
  AND (l."STATUS" IN ('failed', 'quarantined') OR (l."STATUS" = 'loaded' AND n."STATUS" = 'loaded'));

MERGE INTO "SYNCTRACK"."LOAD_LEDGER" l
USING (SELECT column1 AS "KEY", column2 AS "ETAG", column3 AS "SIZE", column4 AS "KIND", column5 AS "STATUS", column6 AS "ROWS", column7 AS "ERROR", column8 AS "ATTEMPTS", TO_TIMESTAMP_TZ(column9) AS "FIRST_SEEN_AT", TO_TIMESTAMP_TZ(column10) AS "LOADED_AT"
FROM VALUES
  ('sync_tracking_datasets/org1/52275/run2/_SUCCESS', '"d41d8cd98f00b204e9800998ecf8427e"', 0, 'ignored', 'skipped', 0, 'not Sync Tracking data: ignored', 1, '2025-11-20T08:30:00Z', NULL)) n
ON l."KEY" = n."KEY" AND l."ETAG" = n."ETAG"
WHEN MATCHED THEN UPDATE SET "SIZE" = CASE WHEN n."STATUS" = 'deleted' THEN l."SIZE" ELSE n."SIZE" END, "KIND" = n."KIND", "STATUS" = n."STATUS", "ROWS" = CASE WHEN n."STATUS" = 'deleted' THEN l."ROWS" ELSE n."ROWS" END, "ERROR" = n."ERROR", "ATTEMPTS" = n."ATTEMPTS", "LOADED_AT" = CASE WHEN n."STATUS" = 'deleted' THEN l."LOADED_AT" ELSE n."LOADED_AT" END
WHEN NOT MATCHED THEN INSERT ("KEY", "ETAG", "SIZE", "KIND", "STATUS", "ROWS", "ERROR", "ATTEMPTS", "FIRST_SEEN_AT", "LOADED_AT") VALUES (n."KEY", n."ETAG", n."SIZE", n."KIND", n."STATUS", n."ROWS", n."ERROR", n."ATTEMPTS", n."FIRST_SEEN_AT", n."LOADED_AT");

COMMIT;

BEGIN;

DELETE FROM "SYNCTRACK"."SYNC_RUNS" WHERE "_FILE" IN ('sync_tracking_datasets/org1/52275/run1/metadata.json', 'sync_tracking_datasets/org1/52275/run2/metadata.json');

INSERT INTO "SYNCTRACK"."SYNC_RUNS" ("ORG_ID", "WORKSPACE_ID", "SYNC_CONFIGURATION_ID", "SYNC_RUN_ID", "SOURCE_TYPE", "SOURCE_OBJECT_ID", "DESTINATION_TYPE", "DESTINATION_ID", "DESTINATION_OBJECT_ID", "STARTED_AT", "PAYLOAD_SCHEMA", "METADATA", "_FILE", "_LOADED_AT")
SELECT column1, column2, column3, column4, column5, column6, column7, column8, column9, TRY_TO_TIMESTAMP_TZ(column10), TRY_PARSE_JSON(column11), TRY_PARSE_JSON(column12), column13, TRY_TO_TIMESTAMP_TZ(column14)
FROM VALUES
  ('org1', NULL, '52275', 'run1', NULL, NULL, 'salesforce', 'd1', NULL, '2025-11-19T10:00:00Z', '{"Email":"string","email":"string","it''s \\"x\\"":"string","ok":"boolean","score":"number","tags":"array"}', '{"org_id":"org1","sync_configuration_id":"52275","sync_run_id":"run1","started_at":"2025-11-19T10:00:00Z",
"destination":{"type":"salesforce","id":"d1"},"record_payload_schema":{"email":"string","Email":"string","score":"number","ok":"boolean","it''s \\"x\\"":"string","tags":"array"}}', 'sync_tracking_datasets/org1/52275/run1/metadata.json', '2025-11-20T08:30:00Z'),
  ('org1', NULL, '52275', 'run2', NULL, NULL, 'salesforce', 'd1', NULL, '2025-11-19T10:00:00Z', '{"Email":"string","email":"string","it''s \\"x\\"":"string","ok":"boolean","score":"number","tags":"array"}', '{"org_id":"org1","sync_configuration_id":"52275","sync_run_id":"run2","started_at":"2025-11-19T10:00:00Z",
"destination":{"type":"salesforce","id":"d1"},"record_payload_schema":{"email":"string","Email":"string","score":"number","ok":"boolean","it''s \\"x\\"":"string","tags":"array"}}', 'sync_tracking_datasets/org1/52275/run2/metadata.json', '2025-11-20T08:30:00Z');

UPDATE "SYNCTRACK"."LOAD_LEDGER" l SET "STATUS" = 'replaced'
FROM (SELECT column1 AS "KEY", column2 AS "ETAG", column3 AS "SIZE", column4 AS "KIND", column5 AS "STATUS", column6 AS "ROWS", column7 AS "ERROR", column8 AS "ATTEMPTS", TO_TIMESTAMP_TZ(column9) AS "FIRST_SEEN_AT", TO_TIMESTAMP_TZ(column10) AS "LOADED_AT"
FROM VALUES
  ('sync_tracking_datasets/org1/52275/run1/metadata.json', '"7d443062e2f333a6410b1fa84939345f"', 282, 'metadata', 'loaded', 1, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z'),
  ('sync_tracking_datasets/org1/52275/run2/metadata.json', '"ae17205e6ae817e52958228585ae4737"', 282, 'metadata', 'loaded', 1, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z')) n
WHERE l."KEY" = n."KEY" AND l."ETAG" <> n."ETAG"
  AND (l."STATUS" IN ('failed', 'quarantined') OR (l."STATUS" = 'loaded' AND n."STATUS" = 'loaded'));

MERGE INTO "SYNCTRACK"."LOAD_LEDGER" l
USING (SELECT column1 AS "KEY", column2 AS "ETAG", column3 AS "SIZE", column4 AS "KIND", column5 AS "STATUS", column6 AS "ROWS", column7 AS "ERROR", column8 AS "ATTEMPTS", TO_TIMESTAMP_TZ(column9) AS "FIRST_SEEN_AT", TO_TIMESTAMP_TZ(column10) AS "LOADED_AT"
FROM VALUES
  ('sync_tracking_datasets/org1/52275/run1/metadata.json', '"7d443062e2f333a6410b1fa84939345f"', 282, 'metadata', 'loaded', 1, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z'),
  ('sync_tracking_datasets/org1/52275/run2/metadata.json', '"ae17205e6ae817e52958228585ae4737"', 282, 'metadata', 'loaded', 1, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z')) n
ON l."KEY" = n."KEY" AND l."ETAG" = n."ETAG"
WHEN MATCHED THEN UPDATE SET "SIZE" = CASE WHEN n."STATUS" = 'deleted' THEN l."SIZE" ELSE n."SIZE" END, "KIND" = n."KIND", "STATUS" = n."STATUS", "ROWS" = CASE WHEN n."STATUS" = 'deleted' THEN l."ROWS" ELSE n."ROWS" END, "ERROR" = n."ERROR", "ATTEMPTS" = n."ATTEMPTS", "LOADED_AT" = CASE WHEN n."STATUS" = 'deleted' THEN l."LOADED_AT" ELSE n."LOADED_AT" END
WHEN NOT MATCHED THEN INSERT ("KEY", "ETAG", "SIZE", "KIND", "STATUS", "ROWS", "ERROR", "ATTEMPTS", "FIRST_SEEN_AT", "LOADED_AT") VALUES (n."KEY", n."ETAG", n."SIZE", n."KIND", n."STATUS", n."ROWS", n."ERROR", n."ATTEMPTS", n."FIRST_SEEN_AT", n."LOADED_AT");

COMMIT;

CREATE TABLE IF NOT EXISTS "SYNCTRACK"."RUN_OUTCOME_COUNTS" (
  "ORG_ID" VARCHAR,
  "SYNC_CONFIGURATION_ID" VARCHAR,
  "SYNC_RUN_ID" VARCHAR,
  "BATCH_STARTED_AT" TIMESTAMP_TZ,
  "BATCH_ENDED_AT" TIMESTAMP_TZ,
  "OUTCOME" VARCHAR,
  "RECORDS" NUMBER(38,0),
  "_FILE" VARCHAR,
  "_LOADED_AT" TIMESTAMP_TZ
);

CREATE TABLE IF NOT EXISTS "SYNCTRACK"."RUN_FINGERPRINT_COUNTS" (
  "ORG_ID" VARCHAR,
  "SYNC_CONFIGURATION_ID" VARCHAR,
  "SYNC_RUN_ID" VARCHAR,
  "BATCH_STARTED_AT" TIMESTAMP_TZ,
  "OUTCOME" VARCHAR,
  "FINGERPRINT" VARCHAR,
  "STATUS_MESSAGE" VARCHAR,
  "RECORDS" NUMBER(38,0),
  "_FILE" VARCHAR,
  "_LOADED_AT" TIMESTAMP_TZ
);

SELECT l."KEY" FROM "SYNCTRACK"."LOAD_LEDGER" l WHERE l."STATUS" = 'loaded' AND l."KIND" = 'records' AND l."ROWS" > 0 AND NOT EXISTS (SELECT 1 FROM "SYNCTRACK"."RUN_OUTCOME_COUNTS") LIMIT 1;

BEGIN;

DELETE FROM "SYNCTRACK"."SYNC_RECORDS" WHERE "_FILE" IN ('sync_tracking_datasets/org1/52275/run1/records_updated.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.0.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.1.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.2.parquet');

DELETE FROM "SYNCTRACK"."RUN_OUTCOME_COUNTS" WHERE "_FILE" IN ('sync_tracking_datasets/org1/52275/run1/records_updated.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.0.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.1.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.2.parquet');

DELETE FROM "SYNCTRACK"."RUN_FINGERPRINT_COUNTS" WHERE "_FILE" IN ('sync_tracking_datasets/org1/52275/run1/records_updated.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.0.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.1.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.2.parquet');

COPY INTO "SYNCTRACK"."SYNC_RECORDS"
FROM @"ANALYTICS"."SYNCTRACK"."SYNC_LOGS"
FILES = ('sync_tracking_datasets/org1/52275/run1/records_updated.parquet',
  'sync_tracking_datasets/org1/52275/run2/records_added.0.parquet',
  'sync_tracking_datasets/org1/52275/run2/records_added.1.parquet',
  'sync_tracking_datasets/org1/52275/run2/records_added.2.parquet')
FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE REPLACE_INVALID_CHARACTERS = FALSE)
MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE
INCLUDE_METADATA = ("_FILE" = METADATA$FILENAME, "_ROW" = METADATA$FILE_ROW_NUMBER, "_LOADED_AT" = METADATA$START_SCAN_TIME)
ON_ERROR = SKIP_FILE;

SELECT CURRENT_TRANSACTION();

SELECT "_FILE" FROM "SYNCTRACK"."SYNC_RECORDS" WHERE "_FILE" IN ('sync_tracking_datasets/org1/52275/run1/records_updated.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.0.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.1.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.2.parquet') GROUP BY "_FILE" HAVING COUNT("IDENTIFIER") = 0;

UPDATE "SYNCTRACK"."SYNC_RECORDS" SET
  "ORG_ID" = COALESCE("ORG_ID", SPLIT_PART("_FILE", '/', -4)),
  "SYNC_CONFIGURATION_ID" = COALESCE("SYNC_CONFIGURATION_ID", SPLIT_PART("_FILE", '/', -3)),
  "SYNC_RUN_ID" = COALESCE("SYNC_RUN_ID", SPLIT_PART("_FILE", '/', -2)),
  "BATCH_TYPE" = SPLIT_PART(SPLIT_PART("_FILE", '/', -1), '.', 1),
  "BATCH_NUMBER" = TRY_TO_NUMBER(CASE WHEN ARRAY_SIZE(SPLIT(SPLIT_PART("_FILE", '/', -1), '.')) > 2 THEN SPLIT_PART(SPLIT_PART("_FILE", '/', -1), '.', 2) END),
  "RECORD_PAYLOAD" = CASE WHEN IS_VARCHAR("RECORD_PAYLOAD") THEN COALESCE(TRY_PARSE_JSON("RECORD_PAYLOAD"::VARCHAR), "RECORD_PAYLOAD") ELSE "RECORD_PAYLOAD" END,
  "_ROW" = "_ROW" - 1
WHERE "_FILE" IN ('sync_tracking_datasets/org1/52275/run1/records_updated.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.0.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.1.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.2.parquet');

INSERT INTO "SYNCTRACK"."RUN_OUTCOME_COUNTS" (org_id, sync_configuration_id, sync_run_id, batch_started_at, batch_ended_at, outcome, records, _file, _loaded_at)
SELECT org_id, sync_configuration_id, sync_run_id, batch_started_at, max(batch_ended_at),
  outcome, count(*), _file, max(_loaded_at)
FROM (
  SELECT r.org_id, r.sync_configuration_id, r.sync_run_id, r.batch_started_at, r.batch_ended_at,
    CASE lower(r.status) WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END AS outcome, r._file, r._loaded_at
  FROM "SYNCTRACK"."SYNC_RECORDS" AS r
  WHERE r."_FILE" IN ('sync_tracking_datasets/org1/52275/run1/records_updated.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.0.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.1.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.2.parquet')
) AS x
GROUP BY org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, _file;

INSERT INTO "SYNCTRACK"."RUN_FINGERPRINT_COUNTS" (org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, fingerprint, status_message, records, _file, _loaded_at)
SELECT org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, fingerprint,
  min(status_message), count(*), _file, max(_loaded_at)
FROM (
  SELECT r.org_id, r.sync_configuration_id, r.sync_run_id, r.batch_started_at,
    CASE lower(r.status) WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END AS outcome,
    REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(r.status_message, '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}', '<uuid>'), '[A-Za-z0-9._%+-]*@[A-Za-z0-9._%+@-]*', '<email>'), '''[^'']*''', '''<v>'''), '[A-Za-z0-9_-]+([.][A-Za-z0-9_-]+)+[.][a-z]{2,}', '<host>'), '(^|[^A-Za-z0-9])([A-Za-z]+[0-9]|[0-9]+[A-Za-z]|[A-Za-z]+[-_][0-9])[A-Za-z0-9]*', '\\1<id>'), '(^|[^A-Za-z0-9])-?[0-9]+([.][0-9]+)?', '\\1<n>') AS fingerprint,
    r.status_message, r._file, r._loaded_at
  FROM "SYNCTRACK"."SYNC_RECORDS" AS r
  WHERE (r."_FILE" IN ('sync_tracking_datasets/org1/52275/run1/records_updated.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.0.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.1.parquet', 'sync_tracking_datasets/org1/52275/run2/records_added.2.parquet')) AND CASE lower(r.status) WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END <> 'success'
) AS x
GROUP BY org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, fingerprint, _file;

UPDATE "SYNCTRACK"."LOAD_LEDGER" l SET "STATUS" = 'replaced'
FROM (SELECT column1 AS "KEY", column2 AS "ETAG", column3 AS "SIZE", column4 AS "KIND", column5 AS "STATUS", column6 AS "ROWS", column7 AS "ERROR", column8 AS "ATTEMPTS", TO_TIMESTAMP_TZ(column9) AS "FIRST_SEEN_AT", TO_TIMESTAMP_TZ(column10) AS "LOADED_AT"
FROM VALUES
  ('sync_tracking_datasets/org1/52275/run1/records_updated.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'records', 'loaded', 10, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z'),
  ('sync_tracking_datasets/org1/52275/run2/records_added.0.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'records', 'loaded', 10, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z'),
  ('sync_tracking_datasets/org1/52275/run2/records_added.1.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'records', 'loaded', 10, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z'),
  ('sync_tracking_datasets/org1/52275/run2/records_added.2.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'records', 'loaded', 10, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z')) n
WHERE l."KEY" = n."KEY" AND l."ETAG" <> n."ETAG"
  AND (l."STATUS" IN ('failed', 'quarantined') OR (l."STATUS" = 'loaded' AND n."STATUS" = 'loaded'));

MERGE INTO "SYNCTRACK"."LOAD_LEDGER" l
USING (SELECT column1 AS "KEY", column2 AS "ETAG", column3 AS "SIZE", column4 AS "KIND", column5 AS "STATUS", column6 AS "ROWS", column7 AS "ERROR", column8 AS "ATTEMPTS", TO_TIMESTAMP_TZ(column9) AS "FIRST_SEEN_AT", TO_TIMESTAMP_TZ(column10) AS "LOADED_AT"
FROM VALUES
  ('sync_tracking_datasets/org1/52275/run1/records_updated.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'records', 'loaded', 10, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z'),
  ('sync_tracking_datasets/org1/52275/run2/records_added.0.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'records', 'loaded', 10, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z'),
  ('sync_tracking_datasets/org1/52275/run2/records_added.1.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'records', 'loaded', 10, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z'),
  ('sync_tracking_datasets/org1/52275/run2/records_added.2.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'records', 'loaded', 10, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z')) n
ON l."KEY" = n."KEY" AND l."ETAG" = n."ETAG"
WHEN MATCHED THEN UPDATE SET "SIZE" = CASE WHEN n."STATUS" = 'deleted' THEN l."SIZE" ELSE n."SIZE" END, "KIND" = n."KIND", "STATUS" = n."STATUS", "ROWS" = CASE WHEN n."STATUS" = 'deleted' THEN l."ROWS" ELSE n."ROWS" END, "ERROR" = n."ERROR", "ATTEMPTS" = n."ATTEMPTS", "LOADED_AT" = CASE WHEN n."STATUS" = 'deleted' THEN l."LOADED_AT" ELSE n."LOADED_AT" END
WHEN NOT MATCHED THEN INSERT ("KEY", "ETAG", "SIZE", "KIND", "STATUS", "ROWS", "ERROR", "ATTEMPTS", "FIRST_SEEN_AT", "LOADED_AT") VALUES (n."KEY", n."ETAG", n."SIZE", n."KIND", n."STATUS", n."ROWS", n."ERROR", n."ATTEMPTS", n."FIRST_SEEN_AT", n."LOADED_AT");

COMMIT;

CREATE OR REPLACE TABLE "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW" (
  "ID" VARCHAR,
  "TYPE" VARCHAR,
  "NAME" VARCHAR,
  "ORG_ID" VARCHAR,
  "_FILE" VARCHAR,
  "_LOADED_AT" TIMESTAMP_TZ
)
ENABLE_SCHEMA_EVOLUTION = TRUE;

COPY INTO "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW"
FROM @"ANALYTICS"."SYNCTRACK"."SYNC_LOGS"
FILES = ('metadata/org1/destinations.parquet')
FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE REPLACE_INVALID_CHARACTERS = TRUE)
MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE
INCLUDE_METADATA = ("_FILE" = METADATA$FILENAME, "_LOADED_AT" = METADATA$START_SCAN_TIME)
ON_ERROR = ABORT_STATEMENT
FORCE = TRUE;

UPDATE "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW" SET "ORG_ID" = SPLIT_PART("_FILE", '/', -2), "ID" = "ID"::VARCHAR;

DELETE FROM "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW" t USING (SELECT "ORG_ID" AS o, "ID" AS i, MIN(CASE "_FILE" WHEN 'metadata/org1/destinations.parquet' THEN 0 END) AS r FROM "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW" GROUP BY 1, 2) k
WHERE EQUAL_NULL(t."ORG_ID", k.o) AND EQUAL_NULL(t."ID", k.i) AND CASE t."_FILE" WHEN 'metadata/org1/destinations.parquet' THEN 0 END > k.r;

ALTER TABLE "SYNCTRACK"."DESTINATIONS" SWAP WITH "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW";

DROP TABLE "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW";

BEGIN;

UPDATE "SYNCTRACK"."LOAD_LEDGER" l SET "STATUS" = 'replaced'
FROM (SELECT column1 AS "KEY", column2 AS "ETAG", column3 AS "SIZE", column4 AS "KIND", column5 AS "STATUS", column6 AS "ROWS", column7 AS "ERROR", column8 AS "ATTEMPTS", TO_TIMESTAMP_TZ(column9) AS "FIRST_SEEN_AT", TO_TIMESTAMP_TZ(column10) AS "LOADED_AT"
FROM VALUES
  ('metadata/org1/destinations.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'fact', 'loaded', 10, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z')) n
WHERE l."KEY" = n."KEY" AND l."ETAG" <> n."ETAG"
  AND (l."STATUS" IN ('failed', 'quarantined') OR (l."STATUS" = 'loaded' AND n."STATUS" = 'loaded'));

MERGE INTO "SYNCTRACK"."LOAD_LEDGER" l
USING (SELECT column1 AS "KEY", column2 AS "ETAG", column3 AS "SIZE", column4 AS "KIND", column5 AS "STATUS", column6 AS "ROWS", column7 AS "ERROR", column8 AS "ATTEMPTS", TO_TIMESTAMP_TZ(column9) AS "FIRST_SEEN_AT", TO_TIMESTAMP_TZ(column10) AS "LOADED_AT"
FROM VALUES
  ('metadata/org1/destinations.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'fact', 'loaded', 10, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z')) n
ON l."KEY" = n."KEY" AND l."ETAG" = n."ETAG"
WHEN MATCHED THEN UPDATE SET "SIZE" = CASE WHEN n."STATUS" = 'deleted' THEN l."SIZE" ELSE n."SIZE" END, "KIND" = n."KIND", "STATUS" = n."STATUS", "ROWS" = CASE WHEN n."STATUS" = 'deleted' THEN l."ROWS" ELSE n."ROWS" END, "ERROR" = n."ERROR", "ATTEMPTS" = n."ATTEMPTS", "LOADED_AT" = CASE WHEN n."STATUS" = 'deleted' THEN l."LOADED_AT" ELSE n."LOADED_AT" END
WHEN NOT MATCHED THEN INSERT ("KEY", "ETAG", "SIZE", "KIND", "STATUS", "ROWS", "ERROR", "ATTEMPTS", "FIRST_SEEN_AT", "LOADED_AT") VALUES (n."KEY", n."ETAG", n."SIZE", n."KIND", n."STATUS", n."ROWS", n."ERROR", n."ATTEMPTS", n."FIRST_SEEN_AT", n."LOADED_AT");

COMMIT;

SELECT "SYNC_CONFIGURATION_ID", "PAYLOAD_SCHEMA"::VARCHAR FROM "SYNCTRACK"."SYNC_RUNS" WHERE "SYNC_CONFIGURATION_ID" IN ('52275') ORDER BY "STARTED_AT" NULLS LAST, "_FILE";

SELECT "SYNC_CONFIGURATION_ID", "VIEW_NAME", "FIELD_NAME", "COLUMN_NAME", "COLUMN_TYPE" FROM "SYNCTRACK"."PAYLOAD_COLUMNS";

BEGIN;

DELETE FROM "SYNCTRACK"."PAYLOAD_COLUMNS" WHERE "SYNC_CONFIGURATION_ID" IN ('52275');

INSERT INTO "SYNCTRACK"."PAYLOAD_COLUMNS" ("SYNC_CONFIGURATION_ID", "VIEW_NAME", "FIELD_NAME", "COLUMN_NAME", "COLUMN_TYPE")
VALUES
  ('52275', 'sync_records_52275', 'Email', 'email', 'string'),
  ('52275', 'sync_records_52275', 'email', 'email_2', 'string'),
  ('52275', 'sync_records_52275', 'it''s "x"', 'it_s_x', 'string'),
  ('52275', 'sync_records_52275', 'ok', 'ok', 'boolean'),
  ('52275', 'sync_records_52275', 'score', 'score', 'number'),
  ('52275', 'sync_records_52275', 'tags', 'tags', 'json');

COMMIT;

CREATE OR REPLACE VIEW "SYNCTRACK"."SYNC_LOG" AS
SELECT
  MD5(r."_FILE" || '#' || r."_ROW"::VARCHAR) AS "LOG_ID",
  r."SYNC_CONFIGURATION_ID" AS "SYNC_ID",
  r."SYNC_RUN_ID",
  r."IDENTIFIER" AS "RECORD_IDENTIFIER",
  r."RECORD_PAYLOAD",
  r."BATCH_STARTED_AT",
  r."BATCH_ENDED_AT" AS "BATCH_COMPLETED_AT",
  r."OPERATION",
  r."STATUS",
  r."STATUS_MESSAGE",
  m."SOURCE_OBJECT_ID",
  m."DESTINATION_ID",
  m."DESTINATION_OBJECT_ID",
  r."ORG_ID",
  m."WORKSPACE_ID",
  CASE LOWER(r."STATUS") WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END AS "OUTCOME",
  r."_FILE",
  r."_ROW"
FROM "SYNCTRACK"."SYNC_RECORDS" r
LEFT JOIN "SYNCTRACK"."SYNC_RUNS" m
  ON m."ORG_ID" = r."ORG_ID" AND m."SYNC_CONFIGURATION_ID" = r."SYNC_CONFIGURATION_ID" AND m."SYNC_RUN_ID" = r."SYNC_RUN_ID";

CREATE OR REPLACE VIEW "SYNCTRACK"."FLAPPING_RECORDS" AS
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
  FROM "SYNCTRACK"."SYNC_LOG" AS l
  WHERE TRUE
  GROUP BY l.org_id, l.sync_id, l.sync_run_id
),
per_run AS (
  SELECT
    l.org_id,
    l.sync_id,
    l.record_identifier,
    r.run_rank,
    max(CASE l.outcome WHEN 'rejected' THEN 3 WHEN 'invalid' THEN 2 ELSE 1 END) AS severity
  FROM "SYNCTRACK"."SYNC_LOG" AS l
  JOIN run_order AS r ON r.org_id = l.org_id AND r.sync_id = l.sync_id AND r.sync_run_id = l.sync_run_id
  WHERE r.run_rank <= 5
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
  COUNT_IF(changed = 1) AS changes,
  LISTAGG(outcome, ',') WITHIN GROUP (ORDER BY run_rank DESC) AS outcomes
FROM steps
GROUP BY org_id, sync_id, record_identifier
HAVING COUNT_IF(changed = 1) >= 2
ORDER BY changes DESC, org_id, sync_id, record_identifier NULLS LAST
;

CREATE OR REPLACE VIEW "SYNCTRACK"."INVALID_RECORDS" AS
-- The invalid-data checks per run: NULL, DUPLICATE, and rows without a status.
-- invalid_check is the status as written, or "(no status)" for SQL NULL; a status that
-- is neither succeeded nor rejected counts here too.
-- params: sync run since limit
SELECT
  l.org_id,
  l.sync_id,
  l.sync_run_id,
  coalesce(l.status, '(no status)') AS invalid_check,
  count(*) AS invalid,
  count(DISTINCT l.record_identifier) AS records,
  min(l.record_identifier) AS example_identifier,
  min(l.status_message) AS example_message
FROM "SYNCTRACK"."SYNC_LOG" AS l
WHERE l.outcome = 'invalid'
GROUP BY l.org_id, l.sync_id, l.sync_run_id, invalid_check
ORDER BY l.org_id, l.sync_id, l.sync_run_id, invalid_check
;

CREATE OR REPLACE VIEW "SYNCTRACK"."NEW_ERRORS" AS
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
;

CREATE OR REPLACE VIEW "SYNCTRACK"."REJECTION_TREND" AS
-- Daily rejection rate per sync, by the UTC day each batch started.
-- Reads run_outcome_counts, which every load writes with the rows.
-- params: sync since limit
SELECT
  TO_DATE(CONVERT_TIMEZONE('UTC', c.batch_started_at)) AS day,
  c.org_id,
  c.sync_configuration_id AS sync_id,
  SUM(c.records) AS total,
  SUM(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS rejected,
  round(SUM(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) / SUM(c.records), 4) AS rejection_rate
FROM "SYNCTRACK"."RUN_OUTCOME_COUNTS" AS c
WHERE TRUE
GROUP BY day, c.org_id, c.sync_configuration_id
ORDER BY day DESC NULLS LAST, c.org_id, sync_id
;

CREATE OR REPLACE VIEW "SYNCTRACK"."REJECTIONS_BY_FINGERPRINT" AS
-- Rejected records grouped by message fingerprint: one error about many different values.
-- The fingerprint is status_message with UUIDs, emails, single-quoted values, host
-- names, ids mixing letters and digits, and numbers replaced by <uuid>, <email>, '<v>',
-- <host>, <id> and <n>; double-quoted names (fields, properties) are kept. Per
-- fingerprint: rejected rows, distinct messages and records, an example message, and
-- the first and last batch start.
-- params: sync run since limit
WITH rejected_rows AS (
  SELECT
    REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(l.status_message, '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}', '<uuid>'), '[A-Za-z0-9._%+-]*@[A-Za-z0-9._%+@-]*', '<email>'), '''[^'']*''', '''<v>'''), '[A-Za-z0-9_-]+([.][A-Za-z0-9_-]+)+[.][a-z]{2,}', '<host>'), '(^|[^A-Za-z0-9])([A-Za-z]+[0-9]|[0-9]+[A-Za-z]|[A-Za-z]+[-_][0-9])[A-Za-z0-9]*', '\\1<id>'), '(^|[^A-Za-z0-9])-?[0-9]+([.][0-9]+)?', '\\1<n>') AS fingerprint,
    l.status_message,
    l.record_identifier,
    l.batch_started_at
  FROM "SYNCTRACK"."SYNC_LOG" AS l
  WHERE l.outcome = 'rejected'
)
SELECT
  fingerprint,
  count(*) AS rejected,
  count(DISTINCT status_message) AS messages,
  count(DISTINCT record_identifier) AS records,
  min(status_message) AS example_message,
  min(batch_started_at) AS first_seen,
  max(batch_started_at) AS last_seen
FROM rejected_rows
GROUP BY fingerprint
ORDER BY rejected DESC, fingerprint NULLS LAST
;

CREATE OR REPLACE VIEW "SYNCTRACK"."REJECTIONS_BY_MESSAGE" AS
-- Rejected records grouped by status message, with their identifiers: the seed's query.
-- One row per status_message of rejected records (NULL is a message too): how many
-- rejected rows carry it and every identifier, sorted (NULL identifiers left out).
-- params: sync run since limit
SELECT
  l.status_message,
  count(*) AS rejected,
  ARRAY_AGG(l.record_identifier) WITHIN GROUP (ORDER BY l.record_identifier) AS identifiers
FROM "SYNCTRACK"."SYNC_LOG" AS l
WHERE l.outcome = 'rejected'
GROUP BY l.status_message
ORDER BY rejected DESC, l.status_message NULLS LAST
;

CREATE OR REPLACE VIEW "SYNCTRACK"."RUN_OUTCOMES" AS
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
  SUM(c.records) AS total,
  SUM(CASE WHEN c.outcome = 'success' THEN c.records ELSE 0 END) AS succeeded,
  SUM(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS rejected,
  SUM(CASE WHEN c.outcome = 'invalid' THEN c.records ELSE 0 END) AS invalid,
  round(SUM(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) / SUM(c.records), 4) AS rejection_rate
FROM "SYNCTRACK"."RUN_OUTCOME_COUNTS" AS c
WHERE TRUE
GROUP BY c.org_id, c.sync_configuration_id, c.sync_run_id
ORDER BY started_at DESC NULLS LAST, c.org_id, sync_id, c.sync_run_id
;

CREATE OR REPLACE VIEW "SYNCTRACK"."RUN_SUMMARY" AS
-- Outcomes per run: totals, rejection rate, batch times, source and destination names.
-- invalid counts the NULL and DUPLICATE checks and rows without a status. Names come
-- from the fact tables through left joins: facts are refreshed every six hours, so a
-- new source or destination has a NULL name until they catch up. With since, only
-- rows of batches started at or after it are counted. Reads run_outcome_counts,
-- which every load writes with the rows: a few rows per file, not one per record.
-- params: sync run since limit
WITH run_totals AS (
  SELECT
    c.org_id,
    c.sync_configuration_id AS sync_id,
    c.sync_run_id,
    SUM(c.records) AS total,
    SUM(CASE WHEN c.outcome = 'success' THEN c.records ELSE 0 END) AS succeeded,
    SUM(CASE WHEN c.outcome = 'rejected' THEN c.records ELSE 0 END) AS rejected,
    SUM(CASE WHEN c.outcome = 'invalid' THEN c.records ELSE 0 END) AS invalid,
    min(c.batch_started_at) AS first_batch_started_at,
    max(c.batch_ended_at) AS last_batch_completed_at
  FROM "SYNCTRACK"."RUN_OUTCOME_COUNTS" AS c
  WHERE TRUE
  GROUP BY c.org_id, c.sync_configuration_id, c.sync_run_id
)
SELECT
  r.org_id,
  r.sync_id,
  r.sync_run_id,
  m.started_at AS run_started_at,
  r.total,
  r.succeeded,
  r.rejected,
  r.invalid,
  round(r.rejected / r.total, 4) AS rejection_rate,
  r.first_batch_started_at,
  r.last_batch_completed_at,
  m.source_type,
  m.source_object_id,
  so.name AS source_name,
  m.destination_type,
  m.destination_id,
  d.name AS destination_name,
  m.destination_object_id,
  dobj.name AS destination_object_name
FROM run_totals AS r
LEFT JOIN "SYNCTRACK"."SYNC_RUNS" AS m
  ON m.org_id = r.org_id AND m.sync_configuration_id = r.sync_id AND m.sync_run_id = r.sync_run_id
LEFT JOIN "SYNCTRACK"."SOURCE_OBJECTS" AS so ON so.org_id = r.org_id AND so.id = m.source_object_id
LEFT JOIN "SYNCTRACK"."DESTINATIONS" AS d ON d.org_id = r.org_id AND d.id = m.destination_id
LEFT JOIN "SYNCTRACK"."DESTINATION_OBJECTS" AS dobj ON dobj.org_id = r.org_id AND dobj.id = m.destination_object_id
ORDER BY r.first_batch_started_at DESC NULLS LAST, r.org_id, r.sync_id, r.sync_run_id
;

CREATE OR REPLACE VIEW "SYNCTRACK"."TOP_ERRORS_BY_DESTINATION" AS
-- The most frequent rejection fingerprints per destination and destination object.
-- Fingerprints as in rejections_by_fingerprint; n is how many to keep per
-- destination object (default 5), ranked by rejected rows. Names come from the fact
-- tables through left joins, NULL while the facts lag a new destination.
-- params: sync run since n limit
WITH errors AS (
  SELECT
    l.org_id,
    l.destination_id,
    l.destination_object_id,
    REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(l.status_message, '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}', '<uuid>'), '[A-Za-z0-9._%+-]*@[A-Za-z0-9._%+@-]*', '<email>'), '''[^'']*''', '''<v>'''), '[A-Za-z0-9_-]+([.][A-Za-z0-9_-]+)+[.][a-z]{2,}', '<host>'), '(^|[^A-Za-z0-9])([A-Za-z]+[0-9]|[0-9]+[A-Za-z]|[A-Za-z]+[-_][0-9])[A-Za-z0-9]*', '\\1<id>'), '(^|[^A-Za-z0-9])-?[0-9]+([.][0-9]+)?', '\\1<n>') AS fingerprint,
    count(*) AS rejected,
    count(DISTINCT l.record_identifier) AS records,
    min(l.status_message) AS example_message
  FROM "SYNCTRACK"."SYNC_LOG" AS l
  WHERE l.outcome = 'rejected'
  GROUP BY l.org_id, l.destination_id, l.destination_object_id, fingerprint
),
ranked AS (
  SELECT
    e.*,
    row_number() OVER (
      PARTITION BY e.org_id, e.destination_id, e.destination_object_id
      ORDER BY e.rejected DESC, e.fingerprint NULLS LAST
    ) AS error_rank
  FROM errors AS e
)
SELECT
  r.org_id,
  r.destination_id,
  d.name AS destination_name,
  d.type AS destination_type,
  r.destination_object_id,
  dobj.name AS destination_object_name,
  r.error_rank,
  r.fingerprint,
  r.rejected,
  r.records,
  r.example_message
FROM ranked AS r
LEFT JOIN "SYNCTRACK"."DESTINATIONS" AS d ON d.org_id = r.org_id AND d.id = r.destination_id
LEFT JOIN "SYNCTRACK"."DESTINATION_OBJECTS" AS dobj ON dobj.org_id = r.org_id AND dobj.id = r.destination_object_id
WHERE r.error_rank <= 5
ORDER BY r.org_id, r.destination_id NULLS LAST, r.destination_object_id NULLS LAST, r.error_rank
;

CREATE OR REPLACE VIEW "SYNCTRACK"."SYNC_RECORDS_52275" AS
SELECT
	"IDENTIFIER",
	"RECORD_PAYLOAD",
	"OPERATION",
	"STATUS",
	"STATUS_MESSAGE",
	"BATCH_STARTED_AT",
	"BATCH_ENDED_AT",
	"SYNC_CONFIGURATION_ID",
	"SYNC_RUN_ID",
	"ORG_ID",
	"BATCH_TYPE",
	"BATCH_NUMBER",
	"_FILE",
	"_ROW",
	"_EXTRA",
	"_LOADED_AT",
	"RECORD_PAYLOAD":"Email"::VARCHAR AS "EMAIL",
	"RECORD_PAYLOAD":"email"::VARCHAR AS "EMAIL_2",
	"RECORD_PAYLOAD"['it''s "x"']::VARCHAR AS "IT_S_X",
	TRY_TO_BOOLEAN("RECORD_PAYLOAD":"ok"::VARCHAR) AS "OK",
	TRY_TO_DOUBLE("RECORD_PAYLOAD":"score"::VARCHAR) AS "SCORE",
	"RECORD_PAYLOAD":"tags" AS "TAGS"
FROM "SYNCTRACK"."SYNC_RECORDS"
WHERE "SYNC_CONFIGURATION_ID" = '52275';
