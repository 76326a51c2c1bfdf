-- Written by synctrack dbt: sync_records from source('synctrack', 'sync_records'), in snowflake SQL.
-- Run synctrack dbt again to refresh it; it overwrites edits made here.
select
    identifier,
    record_payload,
    operation,
    status,
    status_message,
    batch_started_at,
    batch_ended_at,
    sync_configuration_id,
    sync_run_id,
    org_id,
    batch_type,
    batch_number,
    _file,
    _row,
    _extra,
    _loaded_at
from {{ source('synctrack', 'sync_records') }}
