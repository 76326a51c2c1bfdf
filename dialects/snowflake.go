package dialects

import (
	"strconv"
	"strings"
)

// Snowflake renders SQL for Snowflake.
type Snowflake struct{}

var _ Dialect = Snowflake{}

func (Snowflake) Name() string { return "snowflake" }

// Placeholder is :i, which gosnowflake binds by position.
func (Snowflake) Placeholder(i int, _ string) string { return ":" + strconv.Itoa(i) }

// TimestampType is TIMESTAMP_TZ.
func (Snowflake) TimestampType() string { return "TIMESTAMP_TZ" }

// ReplaceAll is REGEXP_REPLACE, which replaces every match by default.
func (Snowflake) ReplaceAll(expr, pattern, repl string) string {
	return "REGEXP_REPLACE(" + expr + ", " + pattern + ", " + repl + ")"
}

// CountIf is COUNT_IF: Snowflake has no FILTER clause.
func (Snowflake) CountIf(cond string) string { return "COUNT_IF(" + cond + ")" }

// ArrayAgg needs no NULL filter (Snowflake's ARRAY_AGG leaves NULLs out) and
// takes its order in WITHIN GROUP.
func (Snowflake) ArrayAgg(expr, order string) string {
	return "ARRAY_AGG(" + expr + ") WITHIN GROUP (ORDER BY " + order + ")"
}

// StringAgg is LISTAGG, its order in WITHIN GROUP.
func (Snowflake) StringAgg(expr, sep, order string) string {
	return "LISTAGG(" + expr + ", " + sep + ") WITHIN GROUP (ORDER BY " + order + ")"
}

// UTCDate: CONVERT_TIMEZONE with one zone gives the instant in that zone,
// whose date TO_DATE takes.
func (Snowflake) UTCDate(ts string) string { return "TO_DATE(CONVERT_TIMEZONE('UTC', " + ts + "))" }

// Sum is SUM: a NUMBER, as count(*) is.
func (Snowflake) Sum(expr string) string { return "SUM(" + expr + ")" }

// Rate: Snowflake's / of two integers is a NUMBER with a fraction.
func (Snowflake) Rate(num, den string) string { return "round(" + num + " / " + den + ", 4)" }

// Ident quotes a name synctrack creates or references so that it resolves as
// the same name written unquoted would: a plain identifier (letters, digits,
// _ and $, not starting with a digit or $) is quoted upper case, so
// "SYNC_LOG" is what a user's unquoted sync_log finds; any other name is
// quoted exactly as given (case kept, quotes doubled). A quoted Snowflake
// identifier takes no backslash escapes, so no byte of name can end it early.
func (Snowflake) Ident(name string) string { return quoteDoubled(SnowflakeName(safeText(name)), '"') }

// Quote quotes a name exactly as given, case kept: for names already resolved
// the way Snowflake resolves them (a stage or integration the user named).
func (Snowflake) Quote(name string) string { return quoteDoubled(safeText(name), '"') }

// SnowflakeName is the name Snowflake stores for name written unquoted when
// name is a plain identifier (upper case), and name itself otherwise.
func SnowflakeName(name string) string {
	if !plainSnowflake(name) {
		return name
	}
	return strings.ToUpper(name)
}

// plainSnowflake reports whether name matches ^[A-Za-z_][A-Za-z0-9_$]*$, the
// names Snowflake accepts unquoted (and upper-cases).
func plainSnowflake(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c == '$' || c >= '0' && c <= '9'):
		default:
			return false
		}
	}
	return true
}

// String wraps s in single quotes. Snowflake reads backslash escapes inside
// single-quoted literals (a backslash-quote is a quote), so a backslash is doubled as well
// as a quote; otherwise a trailing backslash would swallow the closing quote.
func (Snowflake) String(s string) string {
	s = safeText(s)
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(s[i])
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// Table returns schema.table, quoted.
func (d Snowflake) Table(schema, table string) string { return d.Ident(schema) + "." + d.Ident(table) }
