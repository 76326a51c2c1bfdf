-- Written by synctrack dbt: sync_runs from source('synctrack', 'sync_runs'), in bigquery SQL.
-- Run synctrack dbt again to refresh it; it overwrites edits made here.
select
    org_id,
    workspace_id,
    sync_configuration_id,
    sync_run_id,
    source_type,
    source_object_id,
    destination_type,
    destination_id,
    destination_object_id,
    started_at,
    payload_schema,
    metadata,
    _file,
    _loaded_at,
    state,
    completed_at
from {{ source('synctrack', 'sync_runs') }}
