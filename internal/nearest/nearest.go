// Package nearest finds the word a mistyped one was likely meant to be: a
// config key, a flag, a template's name. An error that names the likely
// word saves the user reading a list of forty.
package nearest

// Word is the candidate fewest edits from w, at most most edits away, the
// least in byte order among equals; "" when none is that close.
func Word(w string, candidates []string, most int) string {
	best, bestD := "", most+1
	for _, c := range candidates {
		if d := distance(w, c); d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
