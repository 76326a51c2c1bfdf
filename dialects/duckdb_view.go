package dialects

import (
	"strings"
	"unicode/utf8"
)

// JSONPointer returns the RFC 6901 pointer to the top-level key field: "~"
// becomes "~0" and then "/" becomes "~1" (in that order, so a "/" never turns
// into a "~1" that is read back as "/"). Pointers rather than JSONPath because
// a pointer has no other syntax: quotes, dots, brackets, "$" and "*" in a field
// name are just bytes of the key.
func JSONPointer(field string) string {
	return "/" + strings.ReplaceAll(strings.ReplaceAll(field, "~", "~0"), "/", "~1")
}

// TypedView renders
//
//	CREATE OR REPLACE VIEW <schema>.<view> AS SELECT <base>, <payload columns>
//	FROM <schema>.sync_records WHERE sync_configuration_id = <syncID>
//
// Each payload column extracts its field from record_payload by JSON Pointer
// and casts it with TRY_CAST, so one record with a value of the wrong type
// gives NULL for that cell instead of failing every query on the view. An
// empty schema leaves names unqualified. base and cols must not both be empty.
func (d DuckDB) TypedView(schema, view, syncID string, base []string, cols []PayloadColumn) string {
	var b strings.Builder
	b.WriteString("CREATE OR REPLACE VIEW ")
	b.WriteString(d.qualified(schema, view))
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
	b.WriteString(d.qualified(schema, "sync_records"))
	b.WriteString("\nWHERE ")
	b.WriteString(d.Ident("sync_configuration_id"))
	b.WriteString(" = ")
	b.WriteString(d.String(syncID))
	return b.String()
}

// duckDBTypes maps our payload types to the DuckDB type of the view column.
var duckDBTypes = map[string]string{"string": "VARCHAR", "number": "DOUBLE", "boolean": "BOOLEAN", "json": "JSON"}

// payloadExpr renders the expression reading one field out of record_payload.
func (d DuckDB) payloadExpr(c PayloadColumn) string {
	typ := NormalizeType(c.Type)
	if !addressable(c.Field) {
		// A literal cannot carry this name to DuckDB unchanged, and a changed
		// name would read some other field: keep the column, always NULL.
		return "CAST(NULL AS " + duckDBTypes[typ] + ")"
	}
	payload := d.Ident("record_payload")
	ptr := d.String(JSONPointer(c.Field))
	switch typ {
	case "string":
		return "json_extract_string(" + payload + ", " + ptr + ")"
	case "number", "boolean":
		return "TRY_CAST(json_extract_string(" + payload + ", " + ptr + ") AS " + duckDBTypes[typ] + ")"
	}
	return "json_extract(" + payload + ", " + ptr + ")"
}

// addressable says whether a field name survives as a DuckDB string literal:
// String drops NUL bytes, and DuckDB rejects a literal that is not UTF-8.
// Names decoded from metadata.json are always UTF-8 (encoding/json replaces
// bad bytes); this guards other callers.
func addressable(field string) bool {
	return utf8.ValidString(field) && !strings.Contains(field, "\x00")
}

func (d DuckDB) qualified(schema, name string) string {
	if schema == "" {
		return d.Ident(name)
	}
	return d.Ident(schema) + "." + d.Ident(name)
}
