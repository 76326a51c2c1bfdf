-- The loader's ledger by kind and status: objects, rows and the last load.
-- view: no
SELECT
  l.kind,
  l.status,
  count(*) AS objects,
  sum(l.{{ ident "rows" }}) AS loaded_rows,
  max(l.loaded_at) AS last_loaded_at,
  max(l.first_seen_at) AS last_seen_at
FROM {{ table "load_ledger" }} AS l
GROUP BY l.kind, l.status
ORDER BY l.kind, l.status
