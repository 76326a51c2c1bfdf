package dialects

import "strings"

// InList renders col IN (values), quoted; false for none (IN () is no SQL).
// col is SQL as it is: a qualified column (o._file) may be given.
func (d DuckDB) InList(col string, values []string) string {
	if len(values) == 0 {
		return "false"
	}
	lits := make([]string, len(values))
	for i, v := range values {
		lits[i] = d.String(v)
	}
	return col + " IN (" + strings.Join(lits, ", ") + ")"
}
