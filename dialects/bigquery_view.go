package dialects

import "strings"

// bigQueryTypes maps our payload types to the BigQuery type of the view column.
var bigQueryTypes = map[string]string{"string": "STRING", "number": "FLOAT64", "boolean": "BOOL", "json": "JSON"}

// BigQueryType is the column type a typed view gives a payload type.
func BigQueryType(payloadType string) string { return bigQueryTypes[NormalizeType(payloadType)] }

// TypedView renders the typed view of one sync for BigQuery; see
// DuckDB.TypedView. A field is reached with the JSON subscript operator and a
// string literal, not a JSONPath, so quotes, dots and "$" in a name are just
// bytes of the key. JSON_VALUE then SAFE_CAST gives NULL, not an error, for a
// value of the wrong type; arrays and objects stay JSON (JSON_QUERY).
func (d BigQuery) TypedView(dataset, view, syncID string, base []string, cols []PayloadColumn) string {
	var b strings.Builder
	b.WriteString("CREATE OR REPLACE VIEW ")
	b.WriteString(d.Table(dataset, view))
	b.WriteString(" AS\nSELECT")
	sep := "\n\t"
	for _, c := range base {
		b.WriteString(sep)
		b.WriteString(d.Ident(c))
		sep = ",\n\t"
	}
	for _, c := range cols {
		b.WriteString(sep)
		b.WriteString(d.payloadExpr(c))
		b.WriteString(" AS ")
		b.WriteString(d.Ident(c.Column))
		sep = ",\n\t"
	}
	b.WriteString("\nFROM ")
	b.WriteString(d.Table(dataset, "sync_records"))
	b.WriteString("\nWHERE ")
	b.WriteString(d.Ident("sync_configuration_id"))
	b.WriteString(" = ")
	b.WriteString(d.String(syncID))
	return b.String()
}

func (d BigQuery) payloadExpr(c PayloadColumn) string {
	typ := NormalizeType(c.Type)
	if !addressable(c.Field) {
		return "CAST(NULL AS " + bigQueryTypes[typ] + ")"
	}
	field := d.Ident("record_payload") + "[" + d.String(c.Field) + "]"
	switch typ {
	case "string":
		return "JSON_VALUE(" + field + ")"
	case "number", "boolean":
		return "SAFE_CAST(JSON_VALUE(" + field + ") AS " + bigQueryTypes[typ] + ")"
	}
	return "JSON_QUERY(" + field + ", '$')"
}
