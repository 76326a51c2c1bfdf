-- Written by synctrack dbt: sync_records_52275 from source('synctrack', 'sync_records_52275'), in snowflake SQL.
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
    _loaded_at,
    email,
    it_s_quoted_and_two_lines,
    raw_x,
    rows_f,
    run_query_drop_table_x,
    td_script_alert_1_script
from {{ source('synctrack', 'sync_records_52275') }}
