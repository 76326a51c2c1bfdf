-- Written by synctrack dbt: payload_columns from source('synctrack', 'payload_columns'), in snowflake SQL.
-- Run synctrack dbt again to refresh it; it overwrites edits made here.
select
    sync_configuration_id,
    view_name,
    field_name,
    column_name,
    column_type
from {{ source('synctrack', 'payload_columns') }}
