package sql

// The outcomes of sync_log, as dialects.OutcomeSQL names them, for engines
// that count on the client (the per-run counts of PostgreSQL and DuckDB).
const (
	OutcomeSuccess uint8 = iota
	OutcomeRejected
	OutcomeInvalid
)

// OutcomeNames are the outcomes' names, by their number.
var OutcomeNames = [...]string{"success", "rejected", "invalid"}

// OutcomeOf is dialects.OutcomeSQL of a status that is not NULL (a NULL
// status is OutcomeInvalid). Only A-Z are lowered: SQL's lower() changes no
// other byte into a letter of these ASCII words, and Unicode folding
// (strings.EqualFold) would take "ſucceeded" for "succeeded", which SQL
// does not.
func OutcomeOf[T ~string | ~[]byte](status T) uint8 {
	switch {
	case asciiLowerIs(status, "succeeded"):
		return OutcomeSuccess
	case asciiLowerIs(status, "rejected"):
		return OutcomeRejected
	}
	return OutcomeInvalid
}

// asciiLowerIs reports whether s, its A-Z lowered, is word (lower case).
func asciiLowerIs[T ~string | ~[]byte](s T, word string) bool {
	if len(s) != len(word) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != word[i] {
			return false
		}
	}
	return true
}
