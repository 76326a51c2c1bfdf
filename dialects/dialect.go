// Package dialects renders SQL for each warehouse engine. It does no I/O: every
// function returns a string, and every identifier or value that reaches SQL goes
// through the quoting functions of this package.
package dialects

import (
	"strconv"
	"strings"
)

// Dialect is what the analysis templates need of an engine's SQL: quoting,
// qualified names, bind placeholders and the few functions whose spelling
// differs. Everything else an engine renders is on its own type. The
// templates are one text per analysis for every dialect: a new engine
// supports them by implementing this interface, nothing else.
type Dialect interface {
	// Name is the dialect's name: the --dialect value and the folder of its
	// golden files (sql/testdata/<name>).
	Name() string
	// Ident quotes one identifier (a table, view or column name).
	Ident(name string) string
	// String quotes a value as a string literal.
	String(s string) string
	// Table returns schema.table, quoted.
	Table(schema, table string) string
	// Placeholder is the i-th bind parameter (from 1), named name.
	Placeholder(i int, name string) string
	// TimestampType is the type an instant literal is cast to.
	TimestampType() string
	// ReplaceAll renders a regexp replacement of every match of pattern in
	// expr; pattern and repl are SQL string literals.
	ReplaceAll(expr, pattern, repl string) string

	// The aggregates below take SQL expressions written in a template, never
	// input. CountIf counts a group's rows where cond holds.
	CountIf(cond string) string
	// ArrayAgg is the array of a group's non-NULL values of expr, ordered by
	// order (an ORDER BY list).
	ArrayAgg(expr, order string) string
	// StringAgg joins a group's values of expr with sep (a SQL string
	// literal), ordered by order.
	StringAgg(expr, sep, order string) string
	// UTCDate is the calendar date, in UTC, of the instant ts.
	UTCDate(ts string) string
	// Sum is the sum of a group's values of the integer expression expr, of
	// the type count(*) has (DuckDB's sum of BIGINT is a HUGEINT, PostgreSQL's
	// a NUMERIC: cast back).
	Sum(expr string) string
	// Rate is num / den rounded to 4 decimal places, as a fraction (never
	// integer division), for counts num and den (den > 0).
	Rate(num, den string) string
}

// DuckDB renders SQL for DuckDB.
type DuckDB struct {
	// FreeCompression leaves to DuckDB the columns Setup would fix to fsst
	// or dictionary (recordsCompression, countsCompression; "uncompressed"
	// stays): for a database file whose storage version only decompresses
	// those two (STORAGE_VERSION v1.3.0 or later).
	FreeCompression bool
}

func (DuckDB) Name() string { return "duckdb" }

// Placeholder is $i.
func (DuckDB) Placeholder(i int, _ string) string { return "$" + strconv.Itoa(i) }

// TimestampType is TIMESTAMPTZ.
func (DuckDB) TimestampType() string { return "TIMESTAMPTZ" }

// ReplaceAll needs the 'g' flag: DuckDB replaces the first match only without it.
func (DuckDB) ReplaceAll(expr, pattern, repl string) string {
	return "regexp_replace(" + expr + ", " + pattern + ", " + repl + ", 'g')"
}

// CountIf is the standard FILTER clause (DuckDB's count_if works too; FILTER
// is what Postgres also reads).
func (DuckDB) CountIf(cond string) string { return "count(*) FILTER (WHERE " + cond + ")" }

// ArrayAgg filters NULLs out: list() keeps them.
func (DuckDB) ArrayAgg(expr, order string) string {
	return "list(" + expr + " ORDER BY " + order + ") FILTER (WHERE " + expr + " IS NOT NULL)"
}

// StringAgg is string_agg with an ORDER BY inside the call.
func (DuckDB) StringAgg(expr, sep, order string) string {
	return "string_agg(" + expr + ", " + sep + " ORDER BY " + order + ")"
}

// UTCDate moves the instant to UTC first: a TIMESTAMPTZ cast to DATE takes
// its date in the session's time zone.
func (DuckDB) UTCDate(ts string) string { return "CAST(timezone('UTC', " + ts + ") AS DATE)" }

// Rate: DuckDB's / of two integers is a DOUBLE.
// Sum casts back to BIGINT: sum of a BIGINT is a HUGEINT.
func (DuckDB) Sum(expr string) string { return "CAST(sum(" + expr + ") AS BIGINT)" }

func (DuckDB) Rate(num, den string) string { return "round(" + num + " / " + den + ", 4)" }

// Ident wraps name in double quotes, doubling any quote inside. DuckDB has no
// other escape inside a quoted identifier, so no byte of name can end it early.
func (DuckDB) Ident(name string) string { return quoteDoubled(safeText(name), '"') }

// String wraps s in single quotes, doubling any quote inside. DuckDB string
// literals take backslashes literally, so doubling is the whole escape.
func (DuckDB) String(s string) string { return quoteDoubled(safeText(s), '\'') }

func quoteDoubled(s string, q byte) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(q)
	for i := 0; i < len(s); i++ {
		if s[i] == q {
			b.WriteByte(q)
		}
		b.WriteByte(s[i])
	}
	b.WriteByte(q)
	return b.String()
}

// StoredText is the string a literal of s (String) stores: without its NUL
// bytes, invalid UTF-8 replaced. Values stored by other means (DuckDB's
// Appender) go through it too, so a key is the same string however it went in.
func StoredText(s string) string { return safeText(s) }

// safeText drops NUL bytes, where C-based parsers may end a literal, and replaces
// invalid UTF-8, which DuckDB rejects in a whole statement.
func safeText(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}
