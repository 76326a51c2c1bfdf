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
// boolean, 1, 0 or a string DuckDB reads as one (true, t, yes, y, 1 and
// false, f, no, n, 0, in any case).
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

// numberText is what a JSON string must look like to be read as a number,
// as DuckDB's TRY_CAST reads it: digits with single underscores between
// them (1_000), an exponent of at most four digits past its leading zeros,
// which NUMERIC reads (a longer one is NULL here, an infinity or zero on
// DuckDB). The spaces around it are ASCII's, the only
// ones NUMERIC and DOUBLE PRECISION skip: where LC_CTYPE is a UTF-8
// locale, \s also takes Unicode's (U+2003, U+3000), whose cast would fail
// every query on the view.
const numberText = `'^[ \t\n\r\f\v]*[-+]?([0-9](_?[0-9])*([.]([0-9](_?[0-9])*)?)?|[.][0-9](_?[0-9])*)([eE][-+]?(0_?)*[0-9](_?[0-9]){0,3})?[ \t\n\r\f\v]*$'`

// specialText is a string DuckDB reads as NaN or an infinity, once its
// ASCII letters are lowered (specialUpper).
const (
	specialText  = `'^[ \t\n\r\f\v]*[-+]?(nan|inf|infinity)[ \t\n\r\f\v]*$'`
	specialUpper = "'NAIFTY', 'naifty'"
)

// The texts DuckDB's TRY_CAST(... AS BOOLEAN) reads (tried on 1.5), in any
// case, and nothing else: no spaces around them, no other number. A JSON
// boolean's text is true or false and a JSON number's its digits, so 1 and
// 0 read, 1.0 and 2 do not, as on DuckDB. Only the words' letters are
// lowered, in ASCII: lower() follows LC_CTYPE, and any other letter keeps
// the text out of the lists anyway.
const (
	boolUpper = "'TRUEFALSYNO', 'truefalsyno'"
	boolTrue  = "('true', 't', 'yes', 'y', '1')"
	boolFalse = "('false', 'f', 'no', 'n', '0')"
)

// The magnitudes DOUBLE PRECISION holds: past the largest finite a number
// is an infinity, below half the smallest subnormal it is zero, as DuckDB
// reads them; between that and the smallest normal (subnormals, which
// PostgreSQL reads on some builds and not others) it is NULL.
const (
	doubleMax   = "1.7976931348623158e308"
	doubleMin   = "2.2250738585072014e-308"
	doubleUnder = "2.4703282292062328e-324"
)

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
		// A cast that fails fails every query on the view, so only what
		// reads as a number is cast, and one DOUBLE PRECISION cannot hold
		// (1e400, 1e-400) is measured as NUMERIC first: an infinity or a
		// zero, as DuckDB gives. A JSON number's text (jsonb writes its
		// digits out, never an exponent) of fewer than 300 characters
		// always fits and skips that; a string must read as a number of
		// fewer than 1,000 characters (its underscores dropped), which
		// NUMERIC always reads (checked in a CASE of its own: PostgreSQL
		// promises no order for the operands of AND), or be NaN or an
		// infinity.
		num := func(t string) string {
			n := "CAST(" + t + " AS NUMERIC)"
			return "CASE WHEN abs(" + n + ") > " + doubleMax + " THEN CASE WHEN " + n + " > 0 THEN CAST('Infinity' AS DOUBLE PRECISION) ELSE CAST('-Infinity' AS DOUBLE PRECISION) END" +
				" WHEN " + n + " = 0 OR abs(" + n + ") >= " + doubleMin + " THEN CAST(" + t + " AS DOUBLE PRECISION)" +
				" WHEN abs(" + n + ") < " + doubleUnder + " THEN CASE WHEN " + n + " > 0 THEN CAST(0 AS DOUBLE PRECISION) ELSE CAST('-0' AS DOUBLE PRECISION) END END"
		}
		plain := "replace(" + txt + ", '_', '')"
		low := "translate(" + txt + ", " + specialUpper + ")"
		return "CASE WHEN jsonb_typeof(" + val + ") = 'number' THEN CASE WHEN length(" + txt + ") < 300 THEN CAST(" + txt + " AS DOUBLE PRECISION) ELSE " + num(txt) + " END" +
			" WHEN jsonb_typeof(" + val + ") <> 'string' THEN NULL" +
			" WHEN " + txt + " ~ " + numberText + " AND length(" + txt + ") < 1000 THEN " + num(plain) +
			" WHEN " + low + " ~ " + specialText + " THEN CASE WHEN " + low + " LIKE '%nan%' THEN CAST('NaN' AS DOUBLE PRECISION)" +
			" WHEN " + low + " LIKE '%-%' THEN CAST('-Infinity' AS DOUBLE PRECISION) ELSE CAST('Infinity' AS DOUBLE PRECISION) END END"
	case "boolean":
		// No cast at all: the value's text, in ASCII lower case, is one of
		// the words DuckDB's TRY_CAST reads, or NULL.
		l := "translate(" + txt + ", " + boolUpper + ")"
		return "CASE WHEN " + l + " IN " + boolTrue + " THEN TRUE WHEN " + l + " IN " + boolFalse + " THEN FALSE END"
	}
	return val
}
