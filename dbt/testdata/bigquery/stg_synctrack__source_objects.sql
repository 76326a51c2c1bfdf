-- Written by synctrack dbt: source_objects from source('synctrack', 'source_objects'), in bigquery SQL.
-- Run synctrack dbt again to refresh it; it overwrites edits made here.
select
    id,
    type,
    name,
    model_id,
    business_object_id,
    filter_segment_id,
    cohort_id,
    org_id,
    _file,
    _loaded_at
from {{ source('synctrack', 'source_objects') }}
