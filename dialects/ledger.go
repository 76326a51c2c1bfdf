package dialects

import "slices"

// DeletedKeeps are the load_ledger columns that a row written as deleted
// leaves as the version had them: its size, the rows it loaded (a fact
// file's, which its table's rebuild just took out) and when it loaded. The
// loader knows only a deleted version's key, etag and attempts (the
// ledger scan a plan reads); writing its zeros over them lost what the
// version was and when it loaded, and left a deleted fact file looking
// like a file that never had rows (found by a user audit).
var DeletedKeeps = []string{"size", "rows", "loaded_at"}

// LedgerSet is the value an upsert of load_ledger gives column col when a
// row of it is written again: the new row's (n.col), but for a column of
// DeletedKeeps when the new row is deleted, the row's as it was (o.col).
// n and o name the new row and the old one (an alias, EXCLUDED, a table).
func LedgerSet(d Dialect, col, n, o string) string {
	c := d.Ident(col)
	if !slices.Contains(DeletedKeeps, col) {
		return n + "." + c
	}
	return "CASE WHEN " + n + "." + d.Ident("status") + " = " + d.String("deleted") + " THEN " + o + "." + c +
		" ELSE " + n + "." + c + " END"
}
