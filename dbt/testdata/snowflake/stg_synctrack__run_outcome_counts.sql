-- Written by synctrack dbt: run_outcome_counts from source('synctrack', 'run_outcome_counts'), in snowflake SQL.
-- Run synctrack dbt again to refresh it; it overwrites edits made here.
select
    org_id,
    sync_configuration_id,
    sync_run_id,
    batch_started_at,
    batch_ended_at,
    outcome,
    records,
    _file,
    _loaded_at
from {{ source('synctrack', 'run_outcome_counts') }}
