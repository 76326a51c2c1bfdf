-- Objects that failed (retried on the next load) or are quarantined, with their reasons.
-- view: no
-- params: limit
SELECT
  l.{{ ident "key" }} AS object_key,
  l.status,
  l.attempts,
  l.{{ ident "error" }} AS reason,
  l.first_seen_at
FROM {{ table "load_ledger" }} AS l
WHERE l.status IN ('failed', 'quarantined')
ORDER BY l.first_seen_at DESC NULLS LAST, l.{{ ident "key" }}
LIMIT {{ or (param "limit") 100 }}
