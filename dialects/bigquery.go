package dialects

import (
	"fmt"
	"strings"
)

// BigQuery renders SQL for BigQuery (GoogleSQL).
type BigQuery struct{}

var _ Dialect = BigQuery{}

func (BigQuery) Name() string { return "bigquery" }

// Placeholder is @name: BigQuery binds named query parameters.
func (BigQuery) Placeholder(_ int, name string) string { return "@" + name }

// TimestampType is TIMESTAMP (always UTC on BigQuery).
func (BigQuery) TimestampType() string { return "TIMESTAMP" }

// ReplaceAll is REGEXP_REPLACE, which replaces every match.
func (BigQuery) ReplaceAll(expr, pattern, repl string) string {
	return "REGEXP_REPLACE(" + expr + ", " + pattern + ", " + repl + ")"
}

// CountIf is COUNTIF: BigQuery has no FILTER clause.
func (BigQuery) CountIf(cond string) string { return "COUNTIF(" + cond + ")" }

// ArrayAgg needs IGNORE NULLS: BigQuery fails a query whose result array
// would hold a NULL.
func (BigQuery) ArrayAgg(expr, order string) string {
	return "ARRAY_AGG(" + expr + " IGNORE NULLS ORDER BY " + order + ")"
}

// StringAgg is string_agg with an ORDER BY inside the call, as in DuckDB.
func (BigQuery) StringAgg(expr, sep, order string) string {
	return "string_agg(" + expr + ", " + sep + " ORDER BY " + order + ")"
}

// UTCDate is DATE with a time zone argument.
func (BigQuery) UTCDate(ts string) string { return "DATE(" + ts + ", 'UTC')" }

// Sum is SUM: an INT64, as COUNT(*) is.
func (BigQuery) Sum(expr string) string { return "SUM(" + expr + ")" }

// Rate: BigQuery's / is always FLOAT64.
func (BigQuery) Rate(num, den string) string { return "round(" + num + " / " + den + ", 4)" }

// Ident wraps name in backticks. BigQuery reads the same escapes inside quoted
// identifiers as inside strings, so backticks and backslashes are escaped with
// a backslash (doubling does not work there).
func (BigQuery) Ident(name string) string { return quoteBackslash(safeText(name), '`') }

// String wraps s in single quotes with backslash escapes: BigQuery has no
// doubled-quote escape, and a single-quoted literal cannot hold a raw newline.
func (BigQuery) String(s string) string { return quoteBackslash(safeText(s), '\'') }

// Table returns dataset.table, quoted. A dataset may be given as
// "project.dataset": BigQuery reads dots inside backticks as a path.
func (d BigQuery) Table(dataset, table string) string { return d.Ident(dataset) + "." + d.Ident(table) }

func quoteBackslash(s string, q byte) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(q)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(q)
	return b.String()
}
