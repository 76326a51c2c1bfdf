package dialects

import "strings"

// inList renders col IN (the values as literals), or false when there are
// none (IN () is no SQL).
func inList(col string, values []string, lit func(string) string) string {
	if len(values) == 0 {
		return "false"
	}
	lits := make([]string, len(values))
	for i, v := range values {
		lits[i] = lit(v)
	}
	return col + " IN (" + strings.Join(lits, ", ") + ")"
}

// InList renders col IN (values), quoted; false for none.
func (d DuckDB) InList(col string, values []string) string { return inList(col, values, d.String) }

// InList renders col IN (values), quoted; FALSE for none.
func (d Snowflake) InList(col string, values []string) string { return inList(col, values, d.String) }
