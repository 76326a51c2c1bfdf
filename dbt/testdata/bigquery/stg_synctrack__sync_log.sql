-- Written by synctrack dbt: sync_log from source('synctrack', 'sync_log'), in bigquery SQL.
-- Run synctrack dbt again to refresh it; it overwrites edits made here.
select
    log_id,
    sync_id,
    sync_run_id,
    record_identifier,
    record_payload,
    batch_started_at,
    batch_completed_at,
    operation,
    status,
    status_message,
    source_object_id,
    destination_id,
    destination_object_id,
    org_id,
    workspace_id,
    outcome,
    _file,
    _row
from {{ source('synctrack', 'sync_log') }}
