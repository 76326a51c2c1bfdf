-- One page of a run's records as the sync's typed view reads them: the rows run_records gave
-- for the same parameters (less the identifier's key), up to the page's last row (upto_file,
-- upto_row), so that only the page's rows have their payload read; each typed column under an
-- alias by position. file_from as in run_records (the page's last row bounds it above).
-- view: no
-- params: sync run status identifier file_from after_file after_row upto_file upto_row limit
-- required: sync run upto_file upto_row
SELECT
  v._file,
  v._row
{{- range $i, $c := typedColumns }},
  v.{{ $c }} AS t{{ $i }}
{{- end }}
FROM {{ typedView }} AS v
WHERE v.sync_configuration_id = {{ param "sync" }} AND v.sync_run_id = {{ param "run" }}
{{- with param "status" }}
  AND (CASE lower(v.status) WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END) = {{ . }}
{{- end }}
{{- with param "identifier" }}
  AND v.identifier = {{ . }}
{{- end }}
{{- with param "file_from" }}
  AND v._file >= {{ . }}
{{- end }}
{{- with param "after_file" }}
  AND (v._file > {{ . }} OR (v._file = {{ . }} AND v._row > {{ param "after_row" }}))
{{- end }}
  AND v._file <= {{ param "upto_file" }} AND (v._file < {{ param "upto_file" }} OR v._row <= {{ param "upto_row" }})
ORDER BY v._file, v._row
LIMIT {{ or (param "limit") 50 }}
