-- Written by synctrack dbt: destination_objects from source('synctrack', 'destination_objects'), in snowflake SQL.
-- Run synctrack dbt again to refresh it; it overwrites edits made here.
select
    id,
    type,
    name,
    org_id,
    _file,
    _loaded_at
from {{ source('synctrack', 'destination_objects') }}
