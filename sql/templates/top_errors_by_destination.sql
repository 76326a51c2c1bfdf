-- The most frequent rejection fingerprints per destination and destination object.
-- Fingerprints as in rejections_by_fingerprint; n is how many to keep per
-- destination object (default 5), ranked by rejected rows. Names come from the fact
-- tables through left joins, NULL while the facts lag a new destination.
-- params: sync run since n limit
WITH errors AS (
  SELECT
    l.org_id,
    l.destination_id,
    l.destination_object_id,
    {{ fingerprint "l.status_message" }} AS fingerprint,
    count(*) AS rejected,
    count(DISTINCT l.record_identifier) AS records,
    min(l.status_message) AS example_message
  FROM {{ table "sync_log" }} AS l
  WHERE l.outcome = 'rejected'
{{- with param "sync" }}
    AND l.sync_id = {{ . }}
{{- end }}
{{- with param "run" }}
    AND l.sync_run_id = {{ . }}
{{- end }}
{{- with param "since" }}
    AND l.batch_started_at >= {{ . }}
{{- end }}
  GROUP BY l.org_id, l.destination_id, l.destination_object_id, fingerprint
),
ranked AS (
  SELECT
    e.*,
    row_number() OVER (
      PARTITION BY e.org_id, e.destination_id, e.destination_object_id
      ORDER BY e.rejected DESC, e.fingerprint NULLS LAST
    ) AS error_rank
  FROM errors AS e
)
SELECT
  r.org_id,
  r.destination_id,
  d.name AS destination_name,
  d.type AS destination_type,
  r.destination_object_id,
  dobj.name AS destination_object_name,
  r.error_rank,
  r.fingerprint,
  r.rejected,
  r.records,
  r.example_message
FROM ranked AS r
LEFT JOIN {{ table "destinations" }} AS d ON d.org_id = r.org_id AND d.id = r.destination_id
LEFT JOIN {{ table "destination_objects" }} AS dobj ON dobj.org_id = r.org_id AND dobj.id = r.destination_object_id
WHERE r.error_rank <= {{ or (param "n") 5 }}
ORDER BY r.org_id, r.destination_id NULLS LAST, r.destination_object_id NULLS LAST, r.error_rank
{{- with param "limit" }}
LIMIT {{ . }}
{{- end }}
