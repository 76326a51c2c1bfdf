package dialects

import "strings"

// Snowflake renders SQL for Snowflake.
type Snowflake struct{}

var _ Dialect = Snowflake{}

func (Snowflake) Name() string { return "snowflake" }

// Ident wraps name in double quotes, doubling any quote inside. A quoted
// Snowflake identifier is case-sensitive and takes no backslash escapes, so
// "sync_log" stays lower case and no byte of name can end it early.
func (Snowflake) Ident(name string) string { return quoteDoubled(safeText(name), '"') }

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
