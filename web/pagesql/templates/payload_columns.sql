-- One sync's typed columns: each payload field's column in its typed view, and the type.
-- view: no
-- params: sync
-- required: sync
SELECT
  p.field_name,
  p.column_name,
  p.column_type,
  p.view_name
FROM {{ table "payload_columns" }} AS p
WHERE p.sync_configuration_id = {{ param "sync" }}
ORDER BY p.column_name
