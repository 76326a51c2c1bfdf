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

// OutcomeSum is a run_outcome_counts row's figures: the rows of a file's
// groups of one run, batch start and outcome, summed over their
// fingerprints, and the latest batch end among them (EndedOK false: none,
// NULL), as CountsInserts computes them.
type OutcomeSum struct {
	Rows    int64
	Ended   int64
	EndedOK bool
}

// OutcomeSums adds up a file's groups per key K (its run, batch start and
// outcome), remembering the keys in the order first seen. Reset empties it
// for the next file and keeps its memory.
type OutcomeSums[K comparable] struct {
	index map[K]int // into vals and Order
	vals  []OutcomeSum
	Order []K
}

// Add counts a group of rows whose latest batch end is ended (endedOK
// false: every one NULL) under k.
func (s *OutcomeSums[K]) Add(k K, rows, ended int64, endedOK bool) {
	if s.index == nil {
		s.index = map[K]int{}
	}
	i, ok := s.index[k]
	if !ok {
		i = len(s.vals)
		s.index[k] = i
		s.vals, s.Order = append(s.vals, OutcomeSum{}), append(s.Order, k)
	}
	o := &s.vals[i]
	o.Rows += rows
	if endedOK && (!o.EndedOK || ended > o.Ended) {
		o.Ended, o.EndedOK = ended, true
	}
}

// Of is k's sum: zero for a key never added.
func (s *OutcomeSums[K]) Of(k K) OutcomeSum {
	i, ok := s.index[k]
	if !ok {
		return OutcomeSum{}
	}
	return s.vals[i]
}

// Reset forgets every key.
func (s *OutcomeSums[K]) Reset() {
	clear(s.index)
	s.vals, s.Order = s.vals[:0], s.Order[:0]
}
