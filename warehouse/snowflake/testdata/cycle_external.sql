SELECT "key", "etag", COALESCE("size", 0), "kind", "status", COALESCE("rows", 0), COALESCE("error", ''), COALESCE("attempts", 0), DATE_PART(EPOCH_MICROSECOND, "first_seen_at"), DATE_PART(EPOCH_MICROSECOND, "loaded_at")
FROM "synctrack"."load_ledger";

CREATE SCHEMA IF NOT EXISTS "synctrack";

CREATE EXTERNAL TABLE IF NOT EXISTS "synctrack"."sync_records_external" (
  "org_id" VARCHAR AS (SPLIT_PART(METADATA$FILENAME, '/', -4)),
  "sync_id" VARCHAR AS (SPLIT_PART(METADATA$FILENAME, '/', -3)),
  "run_id" VARCHAR AS (SPLIT_PART(METADATA$FILENAME, '/', -2))
)
PARTITION BY ("org_id", "sync_id", "run_id")
LOCATION = @"SYNC_LOGS"/sync_tracking_datasets/
PATTERN = '.*[.]parquet'
FILE_FORMAT = (TYPE = PARQUET)
AUTO_REFRESH = FALSE;

CREATE OR REPLACE VIEW "synctrack"."sync_records" AS
SELECT
  "value":"identifier"::VARCHAR AS "identifier",
  COALESCE(TRY_PARSE_JSON("value":"record_payload"::VARCHAR), "value":"record_payload") AS "record_payload",
  "value":"operation"::VARCHAR AS "operation",
  "value":"status"::VARCHAR AS "status",
  "value":"status_message"::VARCHAR AS "status_message",
  TRY_TO_TIMESTAMP_TZ("value":"batch_started_at"::VARCHAR) AS "batch_started_at",
  TRY_TO_TIMESTAMP_TZ("value":"batch_ended_at"::VARCHAR) AS "batch_ended_at",
  COALESCE("value":"sync_configuration_id"::VARCHAR, "sync_id") AS "sync_configuration_id",
  COALESCE("value":"sync_run_id"::VARCHAR, "run_id") AS "sync_run_id",
  COALESCE("value":"org_id"::VARCHAR, "org_id") AS "org_id",
  SPLIT_PART(SPLIT_PART(METADATA$FILENAME, '/', -1), '.', 1) AS "batch_type",
  TRY_TO_NUMBER(CASE WHEN ARRAY_SIZE(SPLIT(SPLIT_PART(METADATA$FILENAME, '/', -1), '.')) > 2 THEN SPLIT_PART(SPLIT_PART(METADATA$FILENAME, '/', -1), '.', 2) END) AS "batch_number",
  METADATA$FILENAME AS "_file",
  METADATA$FILE_ROW_NUMBER - 1 AS "_row",
  NULL::VARIANT AS "_extra",
  NULL::TIMESTAMP_TZ AS "_loaded_at"
FROM "synctrack"."sync_records_external";

CREATE TABLE IF NOT EXISTS "synctrack"."sync_runs" (
  "org_id" VARCHAR,
  "workspace_id" VARCHAR,
  "sync_configuration_id" VARCHAR,
  "sync_run_id" VARCHAR,
  "source_type" VARCHAR,
  "source_object_id" VARCHAR,
  "destination_type" VARCHAR,
  "destination_id" VARCHAR,
  "destination_object_id" VARCHAR,
  "started_at" TIMESTAMP_TZ,
  "payload_schema" VARIANT,
  "metadata" VARIANT,
  "_file" VARCHAR,
  "_loaded_at" TIMESTAMP_TZ
);

CREATE TABLE IF NOT EXISTS "synctrack"."load_ledger" (
  "key" VARCHAR,
  "etag" VARCHAR,
  "size" NUMBER(38,0),
  "kind" VARCHAR,
  "status" VARCHAR,
  "rows" NUMBER(38,0),
  "error" VARCHAR,
  "attempts" NUMBER(38,0),
  "first_seen_at" TIMESTAMP_TZ,
  "loaded_at" TIMESTAMP_TZ
);

CREATE TABLE IF NOT EXISTS "synctrack"."payload_columns" (
  "sync_configuration_id" VARCHAR,
  "view_name" VARCHAR,
  "field_name" VARCHAR,
  "column_name" VARCHAR,
  "column_type" VARCHAR
);

CREATE TABLE IF NOT EXISTS "synctrack"."destination_objects" (
  "id" VARCHAR,
  "type" VARCHAR,
  "name" VARCHAR,
  "org_id" VARCHAR,
  "_file" VARCHAR,
  "_loaded_at" TIMESTAMP_TZ
)
ENABLE_SCHEMA_EVOLUTION = TRUE;

CREATE TABLE IF NOT EXISTS "synctrack"."destinations" (
  "id" VARCHAR,
  "type" VARCHAR,
  "name" VARCHAR,
  "org_id" VARCHAR,
  "_file" VARCHAR,
  "_loaded_at" TIMESTAMP_TZ
)
ENABLE_SCHEMA_EVOLUTION = TRUE;

CREATE TABLE IF NOT EXISTS "synctrack"."source_objects" (
  "id" VARCHAR,
  "type" VARCHAR,
  "name" VARCHAR,
  "model_id" VARCHAR,
  "business_object_id" VARCHAR,
  "filter_segment_id" VARCHAR,
  "cohort_id" VARCHAR,
  "org_id" VARCHAR,
  "_file" VARCHAR,
  "_loaded_at" TIMESTAMP_TZ
)
ENABLE_SCHEMA_EVOLUTION = TRUE;

CREATE OR REPLACE VIEW "synctrack"."sync_log" AS
SELECT
  MD5(r."_file" || '#' || r."_row"::VARCHAR) AS "log_id",
  r."sync_configuration_id" AS "sync_id",
  r."sync_run_id",
  r."identifier" AS "record_identifier",
  r."record_payload",
  r."batch_started_at",
  r."batch_ended_at" AS "batch_completed_at",
  r."operation",
  r."status",
  r."status_message",
  m."source_object_id",
  m."destination_id",
  m."destination_object_id",
  r."org_id",
  m."workspace_id",
  CASE LOWER(r."status") WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END AS "outcome",
  r."_file"
FROM "synctrack"."sync_records" r
LEFT JOIN "synctrack"."sync_runs" m
  ON m."org_id" = r."org_id" AND m."sync_configuration_id" = r."sync_configuration_id" AND m."sync_run_id" = r."sync_run_id";

SELECT "key", "etag", COALESCE("size", 0), "kind", "status", COALESCE("rows", 0), COALESCE("error", ''), COALESCE("attempts", 0), DATE_PART(EPOCH_MICROSECOND, "first_seen_at"), DATE_PART(EPOCH_MICROSECOND, "loaded_at")
FROM "synctrack"."load_ledger";

BEGIN;

UPDATE "synctrack"."load_ledger" l SET "status" = 'replaced'
FROM (SELECT column1 AS "key", column2 AS "etag", column3 AS "size", column4 AS "kind", column5 AS "status", column6 AS "rows", column7 AS "error", column8 AS "attempts", TO_TIMESTAMP_TZ(column9) AS "first_seen_at", TO_TIMESTAMP_TZ(column10) AS "loaded_at"
FROM VALUES
  ('sync_tracking_datasets/org1/52275/run2/_SUCCESS', '"d41d8cd98f00b204e9800998ecf8427e"', 0, 'ignored', 'skipped', 0, 'not Sync Tracking data: ignored', 1, '2025-11-20T08:30:00Z', NULL)) n
WHERE l."key" = n."key" AND l."etag" <> n."etag"
  AND (l."status" = 'failed' OR (l."status" = 'loaded' AND n."status" = 'loaded'));

MERGE INTO "synctrack"."load_ledger" l
USING (SELECT column1 AS "key", column2 AS "etag", column3 AS "size", column4 AS "kind", column5 AS "status", column6 AS "rows", column7 AS "error", column8 AS "attempts", TO_TIMESTAMP_TZ(column9) AS "first_seen_at", TO_TIMESTAMP_TZ(column10) AS "loaded_at"
FROM VALUES
  ('sync_tracking_datasets/org1/52275/run2/_SUCCESS', '"d41d8cd98f00b204e9800998ecf8427e"', 0, 'ignored', 'skipped', 0, 'not Sync Tracking data: ignored', 1, '2025-11-20T08:30:00Z', NULL)) n
ON l."key" = n."key" AND l."etag" = n."etag"
WHEN MATCHED THEN UPDATE SET "size" = n."size", "kind" = n."kind", "status" = n."status", "rows" = n."rows", "error" = n."error", "attempts" = n."attempts", "loaded_at" = n."loaded_at"
WHEN NOT MATCHED THEN INSERT ("key", "etag", "size", "kind", "status", "rows", "error", "attempts", "first_seen_at", "loaded_at") VALUES (n."key", n."etag", n."size", n."kind", n."status", n."rows", n."error", n."attempts", n."first_seen_at", n."loaded_at");

COMMIT;

BEGIN;

DELETE FROM "synctrack"."sync_runs" WHERE "_file" IN ('sync_tracking_datasets/org1/52275/run1/metadata.json', 'sync_tracking_datasets/org1/52275/run2/metadata.json');

INSERT INTO "synctrack"."sync_runs" ("org_id", "workspace_id", "sync_configuration_id", "sync_run_id", "source_type", "source_object_id", "destination_type", "destination_id", "destination_object_id", "started_at", "payload_schema", "metadata", "_file", "_loaded_at")
SELECT column1, column2, column3, column4, column5, column6, column7, column8, column9, TRY_TO_TIMESTAMP_TZ(column10), TRY_PARSE_JSON(column11), TRY_PARSE_JSON(column12), column13, TRY_TO_TIMESTAMP_TZ(column14)
FROM VALUES
  ('org1', NULL, '52275', 'run1', NULL, NULL, 'salesforce', 'd1', NULL, '2025-11-19T10:00:00Z', '{"Email":"string","email":"string","it''s \\"x\\"":"string","ok":"boolean","score":"number","tags":"array"}', '{"org_id":"org1","sync_configuration_id":"52275","sync_run_id":"run1","started_at":"2025-11-19T10:00:00Z",
"destination":{"type":"salesforce","id":"d1"},"record_payload_schema":{"email":"string","Email":"string","score":"number","ok":"boolean","it''s \\"x\\"":"string","tags":"array"}}', 'sync_tracking_datasets/org1/52275/run1/metadata.json', '2025-11-20T08:30:00Z'),
  ('org1', NULL, '52275', 'run2', NULL, NULL, 'salesforce', 'd1', NULL, '2025-11-19T10:00:00Z', '{"Email":"string","email":"string","it''s \\"x\\"":"string","ok":"boolean","score":"number","tags":"array"}', '{"org_id":"org1","sync_configuration_id":"52275","sync_run_id":"run2","started_at":"2025-11-19T10:00:00Z",
"destination":{"type":"salesforce","id":"d1"},"record_payload_schema":{"email":"string","Email":"string","score":"number","ok":"boolean","it''s \\"x\\"":"string","tags":"array"}}', 'sync_tracking_datasets/org1/52275/run2/metadata.json', '2025-11-20T08:30:00Z');

UPDATE "synctrack"."load_ledger" l SET "status" = 'replaced'
FROM (SELECT column1 AS "key", column2 AS "etag", column3 AS "size", column4 AS "kind", column5 AS "status", column6 AS "rows", column7 AS "error", column8 AS "attempts", TO_TIMESTAMP_TZ(column9) AS "first_seen_at", TO_TIMESTAMP_TZ(column10) AS "loaded_at"
FROM VALUES
  ('sync_tracking_datasets/org1/52275/run1/metadata.json', '"7d443062e2f333a6410b1fa84939345f"', 282, 'metadata', 'loaded', 1, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z'),
  ('sync_tracking_datasets/org1/52275/run2/metadata.json', '"ae17205e6ae817e52958228585ae4737"', 282, 'metadata', 'loaded', 1, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z')) n
WHERE l."key" = n."key" AND l."etag" <> n."etag"
  AND (l."status" = 'failed' OR (l."status" = 'loaded' AND n."status" = 'loaded'));

MERGE INTO "synctrack"."load_ledger" l
USING (SELECT column1 AS "key", column2 AS "etag", column3 AS "size", column4 AS "kind", column5 AS "status", column6 AS "rows", column7 AS "error", column8 AS "attempts", TO_TIMESTAMP_TZ(column9) AS "first_seen_at", TO_TIMESTAMP_TZ(column10) AS "loaded_at"
FROM VALUES
  ('sync_tracking_datasets/org1/52275/run1/metadata.json', '"7d443062e2f333a6410b1fa84939345f"', 282, 'metadata', 'loaded', 1, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z'),
  ('sync_tracking_datasets/org1/52275/run2/metadata.json', '"ae17205e6ae817e52958228585ae4737"', 282, 'metadata', 'loaded', 1, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z')) n
ON l."key" = n."key" AND l."etag" = n."etag"
WHEN MATCHED THEN UPDATE SET "size" = n."size", "kind" = n."kind", "status" = n."status", "rows" = n."rows", "error" = n."error", "attempts" = n."attempts", "loaded_at" = n."loaded_at"
WHEN NOT MATCHED THEN INSERT ("key", "etag", "size", "kind", "status", "rows", "error", "attempts", "first_seen_at", "loaded_at") VALUES (n."key", n."etag", n."size", n."kind", n."status", n."rows", n."error", n."attempts", n."first_seen_at", n."loaded_at");

COMMIT;

ALTER EXTERNAL TABLE "synctrack"."sync_records_external" REFRESH 'org1/52275/run1/';

ALTER EXTERNAL TABLE "synctrack"."sync_records_external" REFRESH 'org1/52275/run2/';

BEGIN;

UPDATE "synctrack"."load_ledger" l SET "status" = 'replaced'
FROM (SELECT column1 AS "key", column2 AS "etag", column3 AS "size", column4 AS "kind", column5 AS "status", column6 AS "rows", column7 AS "error", column8 AS "attempts", TO_TIMESTAMP_TZ(column9) AS "first_seen_at", TO_TIMESTAMP_TZ(column10) AS "loaded_at"
FROM VALUES
  ('sync_tracking_datasets/org1/52275/run1/records_updated.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'records', 'loaded', 0, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z'),
  ('sync_tracking_datasets/org1/52275/run2/records_added.0.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'records', 'loaded', 0, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z'),
  ('sync_tracking_datasets/org1/52275/run2/records_added.1.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'records', 'loaded', 0, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z')) n
WHERE l."key" = n."key" AND l."etag" <> n."etag"
  AND (l."status" = 'failed' OR (l."status" = 'loaded' AND n."status" = 'loaded'));

MERGE INTO "synctrack"."load_ledger" l
USING (SELECT column1 AS "key", column2 AS "etag", column3 AS "size", column4 AS "kind", column5 AS "status", column6 AS "rows", column7 AS "error", column8 AS "attempts", TO_TIMESTAMP_TZ(column9) AS "first_seen_at", TO_TIMESTAMP_TZ(column10) AS "loaded_at"
FROM VALUES
  ('sync_tracking_datasets/org1/52275/run1/records_updated.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'records', 'loaded', 0, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z'),
  ('sync_tracking_datasets/org1/52275/run2/records_added.0.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'records', 'loaded', 0, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z'),
  ('sync_tracking_datasets/org1/52275/run2/records_added.1.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'records', 'loaded', 0, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z')) n
ON l."key" = n."key" AND l."etag" = n."etag"
WHEN MATCHED THEN UPDATE SET "size" = n."size", "kind" = n."kind", "status" = n."status", "rows" = n."rows", "error" = n."error", "attempts" = n."attempts", "loaded_at" = n."loaded_at"
WHEN NOT MATCHED THEN INSERT ("key", "etag", "size", "kind", "status", "rows", "error", "attempts", "first_seen_at", "loaded_at") VALUES (n."key", n."etag", n."size", n."kind", n."status", n."rows", n."error", n."attempts", n."first_seen_at", n."loaded_at");

COMMIT;

CREATE OR REPLACE TABLE "synctrack"."destinations__synctrack_new" (
  "id" VARCHAR,
  "type" VARCHAR,
  "name" VARCHAR,
  "org_id" VARCHAR,
  "_file" VARCHAR,
  "_loaded_at" TIMESTAMP_TZ
)
ENABLE_SCHEMA_EVOLUTION = TRUE;

COPY INTO "synctrack"."destinations__synctrack_new"
FROM @"SYNC_LOGS"
FILES = ('metadata/org1/destinations.parquet')
FILE_FORMAT = (TYPE = PARQUET)
MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE
INCLUDE_METADATA = ("_file" = METADATA$FILENAME, "_loaded_at" = METADATA$START_SCAN_TIME)
ON_ERROR = ABORT_STATEMENT
FORCE = TRUE;

UPDATE "synctrack"."destinations__synctrack_new" SET "org_id" = SPLIT_PART("_file", '/', -2), "id" = "id"::VARCHAR;

DELETE FROM "synctrack"."destinations__synctrack_new" t USING (SELECT "org_id" AS o, "id" AS i, MIN(CASE "_file" WHEN 'metadata/org1/destinations.parquet' THEN 0 END) AS r FROM "synctrack"."destinations__synctrack_new" GROUP BY 1, 2) k
WHERE EQUAL_NULL(t."org_id", k.o) AND EQUAL_NULL(t."id", k.i) AND CASE t."_file" WHEN 'metadata/org1/destinations.parquet' THEN 0 END > k.r;

ALTER TABLE "synctrack"."destinations" SWAP WITH "synctrack"."destinations__synctrack_new";

DROP TABLE "synctrack"."destinations__synctrack_new";

BEGIN;

UPDATE "synctrack"."load_ledger" l SET "status" = 'replaced'
FROM (SELECT column1 AS "key", column2 AS "etag", column3 AS "size", column4 AS "kind", column5 AS "status", column6 AS "rows", column7 AS "error", column8 AS "attempts", TO_TIMESTAMP_TZ(column9) AS "first_seen_at", TO_TIMESTAMP_TZ(column10) AS "loaded_at"
FROM VALUES
  ('metadata/org1/destinations.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'fact', 'loaded', 10, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z')) n
WHERE l."key" = n."key" AND l."etag" <> n."etag"
  AND (l."status" = 'failed' OR (l."status" = 'loaded' AND n."status" = 'loaded'));

MERGE INTO "synctrack"."load_ledger" l
USING (SELECT column1 AS "key", column2 AS "etag", column3 AS "size", column4 AS "kind", column5 AS "status", column6 AS "rows", column7 AS "error", column8 AS "attempts", TO_TIMESTAMP_TZ(column9) AS "first_seen_at", TO_TIMESTAMP_TZ(column10) AS "loaded_at"
FROM VALUES
  ('metadata/org1/destinations.parquet', '"9428449b19f23d0518d65724a1764027"', 16, 'fact', 'loaded', 10, NULL, 1, '2025-11-20T08:30:00Z', '2025-11-20T08:30:00Z')) n
ON l."key" = n."key" AND l."etag" = n."etag"
WHEN MATCHED THEN UPDATE SET "size" = n."size", "kind" = n."kind", "status" = n."status", "rows" = n."rows", "error" = n."error", "attempts" = n."attempts", "loaded_at" = n."loaded_at"
WHEN NOT MATCHED THEN INSERT ("key", "etag", "size", "kind", "status", "rows", "error", "attempts", "first_seen_at", "loaded_at") VALUES (n."key", n."etag", n."size", n."kind", n."status", n."rows", n."error", n."attempts", n."first_seen_at", n."loaded_at");

COMMIT;

SELECT "sync_configuration_id", "payload_schema"::VARCHAR FROM "synctrack"."sync_runs" WHERE "sync_configuration_id" IN ('52275') ORDER BY "started_at" NULLS LAST, "_file";

SELECT "sync_configuration_id", "view_name", "field_name", "column_name", "column_type" FROM "synctrack"."payload_columns";

BEGIN;

DELETE FROM "synctrack"."payload_columns" WHERE "sync_configuration_id" IN ('52275');

INSERT INTO "synctrack"."payload_columns" ("sync_configuration_id", "view_name", "field_name", "column_name", "column_type")
VALUES
  ('52275', 'sync_records_52275', 'Email', 'email', 'string'),
  ('52275', 'sync_records_52275', 'email', 'email_2', 'string'),
  ('52275', 'sync_records_52275', 'it''s "x"', 'it_s_x', 'string'),
  ('52275', 'sync_records_52275', 'ok', 'ok', 'boolean'),
  ('52275', 'sync_records_52275', 'score', 'score', 'number'),
  ('52275', 'sync_records_52275', 'tags', 'tags', 'json');

COMMIT;

CREATE OR REPLACE VIEW "synctrack"."sync_log" AS
SELECT
  MD5(r."_file" || '#' || r."_row"::VARCHAR) AS "log_id",
  r."sync_configuration_id" AS "sync_id",
  r."sync_run_id",
  r."identifier" AS "record_identifier",
  r."record_payload",
  r."batch_started_at",
  r."batch_ended_at" AS "batch_completed_at",
  r."operation",
  r."status",
  r."status_message",
  m."source_object_id",
  m."destination_id",
  m."destination_object_id",
  r."org_id",
  m."workspace_id",
  CASE LOWER(r."status") WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END AS "outcome",
  r."_file"
FROM "synctrack"."sync_records" r
LEFT JOIN "synctrack"."sync_runs" m
  ON m."org_id" = r."org_id" AND m."sync_configuration_id" = r."sync_configuration_id" AND m."sync_run_id" = r."sync_run_id";

CREATE OR REPLACE VIEW "synctrack"."sync_records_52275" AS
SELECT
	"identifier",
	"record_payload",
	"operation",
	"status",
	"status_message",
	"batch_started_at",
	"batch_ended_at",
	"sync_configuration_id",
	"sync_run_id",
	"org_id",
	"batch_type",
	"batch_number",
	"_file",
	"_row",
	"_extra",
	"_loaded_at",
	"record_payload":"Email"::VARCHAR AS "email",
	"record_payload":"email"::VARCHAR AS "email_2",
	"record_payload"['it''s "x"']::VARCHAR AS "it_s_x",
	TRY_TO_BOOLEAN("record_payload":"ok"::VARCHAR) AS "ok",
	TRY_TO_DOUBLE("record_payload":"score"::VARCHAR) AS "score",
	"record_payload":"tags" AS "tags"
FROM "synctrack"."sync_records"
WHERE "sync_configuration_id" = '52275';
