-- Written by synctrack dbt: load_ledger from source('synctrack', 'load_ledger'), in bigquery SQL.
-- Run synctrack dbt again to refresh it; it overwrites edits made here.
select
    key,
    etag,
    size,
    kind,
    status,
    `rows`,
    error,
    attempts,
    first_seen_at,
    loaded_at
from {{ source('synctrack', 'load_ledger') }}
