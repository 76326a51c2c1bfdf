package dialects

import "strings"

// TypedView renders the body of a sync's typed view: sync_records' base
// columns and each payload field as a typed column, for the rows of one
// sync. It is a SELECT, not a CREATE: PostgreSQL's CREATE OR REPLACE VIEW
// cannot insert, rename or retype a column, which a new field or a widened
// type does, so the warehouse decides how to replace the view.
//
// Fields are read with -> and ->> by key (a string literal: a key has no
// path syntax to escape). A value of the wrong type gives NULL for that
// cell, as TRY_CAST does on DuckDB, since PostgreSQL has no TRY_CAST: a
// number is a JSON number or a string that reads as one, a boolean a JSON
// boolean or the string true or false.
func (d Postgres) TypedView(schema, syncID string, base []string, cols []PayloadColumn) string {
	var b strings.Builder
	b.WriteString("SELECT")
	sep := "\n\t"
	for _, c := range base {
		b.WriteString(sep + d.Ident(c))
		sep = ",\n\t"
	}
	for _, c := range cols {
		b.WriteString(sep + d.payloadExpr(c) + " AS " + d.Ident(c.Column))
		sep = ",\n\t"
	}
	b.WriteString("\nFROM " + d.Table(schema, "sync_records"))
	b.WriteString("\nWHERE " + d.Ident("sync_configuration_id") + " = " + d.String(syncID))
	return b.String()
}

// postgresViewTypes maps our payload types to the view column's type.
var postgresViewTypes = map[string]string{"string": "TEXT", "number": "DOUBLE PRECISION", "boolean": "BOOLEAN", "json": "JSONB"}

// numberText is what a JSON string must look like to be read as a number.
const numberText = `'^\s*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?\s*$'`

func (d Postgres) payloadExpr(c PayloadColumn) string {
	typ := NormalizeType(c.Type)
	if !addressable(c.Field) {
		// String would change the name, and so read some other field.
		return "CAST(NULL AS " + postgresViewTypes[typ] + ")"
	}
	p, key := d.Ident("record_payload"), d.String(c.Field)
	val, txt := "("+p+" -> "+key+")", "("+p+" ->> "+key+")"
	switch typ {
	case "string":
		return txt
	case "number":
		return "CASE WHEN jsonb_typeof(" + val + ") = 'number' OR " + txt + " ~ " + numberText +
			" THEN CAST(" + txt + " AS DOUBLE PRECISION) END"
	case "boolean":
		return "CASE WHEN jsonb_typeof(" + val + ") = 'boolean' THEN CAST(" + txt + " AS BOOLEAN)" +
			" WHEN lower(" + txt + ") IN ('true', 'false') THEN CAST(lower(" + txt + ") AS BOOLEAN) END"
	}
	return val
}
