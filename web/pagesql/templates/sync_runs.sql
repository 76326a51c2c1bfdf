-- One sync's runs, newest first, paged by key: the runs started before (before, before_run).
-- view: no
-- params: sync before before_run limit
-- required: sync
SELECT
  o.org_id,
  o.sync_id,
  o.sync_run_id,
  o.started_at,
  o.files,
  o.total,
  o.succeeded,
  o.rejected,
  o.invalid,
  o.rejection_rate
FROM {{ runOutcomes }} AS o
WHERE o.sync_id = {{ param "sync" }}
{{- with param "before" }}
  AND (o.started_at < {{ . }} OR (o.started_at = {{ . }} AND o.sync_run_id < {{ param "before_run" }}))
{{- end }}
ORDER BY o.started_at DESC, o.sync_run_id DESC
LIMIT {{ or (param "limit") 50 }}
