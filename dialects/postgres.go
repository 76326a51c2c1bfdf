package dialects

import "strconv"

// Postgres renders SQL for PostgreSQL. Its quoting is DuckDB's: DuckDB
// follows PostgreSQL's lexical rules, as long as standard_conforming_strings
// is on (the default since PostgreSQL 9.1), which the warehouse sets on every
// connection, so a backslash in a literal is an ordinary character.
type Postgres struct{}

var _ Dialect = Postgres{}

func (Postgres) Name() string { return "postgres" }

// Placeholder is $i.
func (Postgres) Placeholder(i int, _ string) string { return "$" + strconv.Itoa(i) }

// TimestampType is TIMESTAMPTZ, an instant.
func (Postgres) TimestampType() string { return "TIMESTAMPTZ" }

// ReplaceAll needs the 'g' flag: regexp_replace replaces the first match only
// without it.
func (Postgres) ReplaceAll(expr, pattern, repl string) string {
	return "regexp_replace(" + expr + ", " + pattern + ", " + repl + ", 'g')"
}

// ByteOrder compares expr's text by its bytes (COLLATE "C"), whatever the
// database's or the column's collation: the counts' least status_message
// (sql.CountsInserts) is then what a load computes on the client.
func (Postgres) ByteOrder(expr string) string { return expr + ` COLLATE "C"` }

// CountIf is the standard FILTER clause.
func (Postgres) CountIf(cond string) string { return "count(*) FILTER (WHERE " + cond + ")" }

// ArrayAgg filters NULLs out: array_agg keeps them.
func (Postgres) ArrayAgg(expr, order string) string {
	return "array_agg(" + expr + " ORDER BY " + order + ") FILTER (WHERE " + expr + " IS NOT NULL)"
}

// StringAgg is string_agg with an ORDER BY inside the call.
func (Postgres) StringAgg(expr, sep, order string) string {
	return "string_agg(" + expr + ", " + sep + " ORDER BY " + order + ")"
}

// UTCDate: timezone('UTC', timestamptz) is the UTC wall clock as a plain
// timestamp, whose date the cast takes; a timestamptz cast to date would
// take it in the session's zone.
func (Postgres) UTCDate(ts string) string { return "CAST(timezone('UTC', " + ts + ") AS DATE)" }

// Sum casts back to BIGINT: sum of a bigint is a numeric.
func (Postgres) Sum(expr string) string { return "CAST(sum(" + expr + ") AS BIGINT)" }

// Rate divides as numeric: PostgreSQL's / of two bigints is integer division
// (0 for any rate under 1), and round(x, 4) takes a numeric, not a double.
// The result is a double, as on the other engines.
func (Postgres) Rate(num, den string) string {
	return "CAST(round(CAST(" + num + " AS NUMERIC) / " + den + ", 4) AS DOUBLE PRECISION)"
}

// Ident wraps name in double quotes, doubling any quote inside; NUL bytes are
// dropped and bad UTF-8 replaced (PostgreSQL accepts neither in a statement).
// Unquoted names fold to lower case, and synctrack's own names are lower case,
// so users type them without quotes.
func (Postgres) Ident(name string) string { return quoteDoubled(safeText(name), '"') }

// String wraps s in single quotes, doubling any quote inside: with
// standard_conforming_strings on, that is the whole escape.
func (Postgres) String(s string) string { return quoteDoubled(safeText(s), '\'') }

// Table returns schema.table, quoted.
func (d Postgres) Table(schema, table string) string { return d.Ident(schema) + "." + d.Ident(table) }
