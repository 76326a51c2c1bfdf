BEGIN;

SELECT DISTINCT "_FILE" FROM (SELECT o."_FILE" FROM "SYNCTRACK"."SYNC_RECORDS" o WHERE o."BATCH_STARTED_AT" < CAST('2026-01-14T00:00:00Z' AS TIMESTAMP_TZ) AND NOT EXISTS (SELECT 1 FROM "SYNCTRACK"."SYNC_RECORDS" n WHERE n."_FILE" = o."_FILE" AND n."BATCH_STARTED_AT" >= CAST('2026-01-14T00:00:00Z' AS TIMESTAMP_TZ)));

DELETE FROM "SYNCTRACK"."RUN_OUTCOME_COUNTS" WHERE "_FILE" IN ('sync_tracking_datasets/1/2/3/records_updated.0.parquet', 'sync_tracking_datasets/1/2/3/it''s.parquet');

DELETE FROM "SYNCTRACK"."RUN_FINGERPRINT_COUNTS" WHERE "_FILE" IN ('sync_tracking_datasets/1/2/3/records_updated.0.parquet', 'sync_tracking_datasets/1/2/3/it''s.parquet');

UPDATE "SYNCTRACK"."LOAD_LEDGER" SET "STATUS" = 'expired', "ERROR" = 'expired: retention keeps 7 days, rows before 2026-01-14 deleted' WHERE "KIND" = 'records' AND "STATUS" = 'loaded' AND "KEY" IN ('sync_tracking_datasets/1/2/3/records_updated.0.parquet', 'sync_tracking_datasets/1/2/3/it''s.parquet');

DELETE FROM "SYNCTRACK"."SYNC_RECORDS" WHERE "_FILE" IN ('sync_tracking_datasets/1/2/3/records_updated.0.parquet', 'sync_tracking_datasets/1/2/3/it''s.parquet');

DELETE FROM "SYNCTRACK"."SYNC_RECORDS" WHERE "BATCH_STARTED_AT" < CAST('2026-01-14T00:00:00Z' AS TIMESTAMP_TZ);

COMMIT;
