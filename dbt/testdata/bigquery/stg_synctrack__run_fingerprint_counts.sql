-- Written by synctrack dbt: run_fingerprint_counts from source('synctrack', 'run_fingerprint_counts'), in bigquery SQL.
-- Run synctrack dbt again to refresh it; it overwrites edits made here.
select
    org_id,
    sync_configuration_id,
    sync_run_id,
    batch_started_at,
    outcome,
    fingerprint,
    status_message,
    records,
    _file,
    _loaded_at
from {{ source('synctrack', 'run_fingerprint_counts') }}
