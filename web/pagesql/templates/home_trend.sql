-- Runs, records and rejections per sync and UTC day of the run's start, since an instant.
-- view: no
-- params: since
-- required: since
SELECT
  {{ utcDate "o.started_at" }} AS day,
  o.org_id,
  o.sync_id,
  count(*) AS runs,
  sum(o.total) AS total,
  sum(o.rejected) AS rejected
FROM {{ runOutcomes }} AS o
WHERE o.started_at >= {{ param "since" }}
GROUP BY {{ utcDate "o.started_at" }}, o.org_id, o.sync_id
ORDER BY day, o.org_id, o.sync_id
