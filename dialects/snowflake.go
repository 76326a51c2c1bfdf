package dialects

import (
	"regexp"
	"strings"
)

// Snowflake renders SQL for Snowflake.
type Snowflake struct{}

func (Snowflake) Name() string { return "snowflake" }

// plainIdent is what Snowflake accepts as an unquoted identifier.
var plainIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

// Ident quotes name as Snowflake would resolve it written bare: a name that is a
// valid unquoted identifier is upper-cased first (Snowflake stores unquoted names
// upper-case), so sync_records and "SYNC_RECORDS" are the same object and users
// can type our names without quotes. Any other name is quoted as written, case
// and all, doubling any double quote inside; no byte of name can end it early.
func (Snowflake) Ident(name string) string {
	name = safeText(name)
	if plainIdent.MatchString(name) {
		name = strings.ToUpper(name)
	}
	return quoteDoubled(name, '"')
}

// String wraps s in single quotes. Snowflake string literals treat a backslash
// as an escape, so backslashes are doubled before quotes are.
func (Snowflake) String(s string) string {
	return quoteDoubled(strings.ReplaceAll(safeText(s), `\`, `\\`), '\'')
}

// Table returns schema.table, quoted.
func (d Snowflake) Table(schema, table string) string { return d.Ident(schema) + "." + d.Ident(table) }
