package sql

// hostPass: from a start, the pattern is a label (the rest of its run of
// [A-Za-z0-9_-]), one or more whole labels each after one dot, then a dot
// and two or more lower-case letters. Labels cannot end early (a dot must
// follow), so the repeat's greedy backtracking settles on the last label
// after the second that begins with two lower-case letters, and the match
// ends after those letters. A later start in the same dotted chain has fewer
// labels after it, so only a run's first byte (or where the last match
// ended) needs trying.
func hostPass(dst, s []byte) []byte {
	pos, i := 0, 0
	for i < len(s) {
		if !isLabelByte(s[i]) {
			i++
			continue
		}
		first := i
		for i < len(s) && isLabelByte(s[i]) {
			i++
		}
		if end := hostEnd(s, i); end >= 0 {
			dst = append(append(dst, s[pos:first]...), "<host>"...)
			pos, i = end, end
		}
	}
	return rest(dst, s, pos)
}

// hostEnd is where a host match ends whose first label ends at k, or -1.
func hostEnd(s []byte, k int) int {
	end := -1
	for n := 1; k+1 < len(s) && s[k] == '.' && isLabelByte(s[k+1]); n++ {
		start := k + 1
		k = start
		for k < len(s) && isLabelByte(s[k]) {
			k++
		}
		if n < 2 {
			continue
		}
		l := start
		for l < k && isLower(s[l]) {
			l++
		}
		if l-start >= 2 {
			end = l
		}
	}
	return end
}

// nextWord is the first word start after i: the bounded rules match after
// a byte outside [A-Za-z0-9] (a UTF-8 rune's bytes all are) or at the
// start. The byte before is never one the previous match took: every match
// ends with a letter or digit, so the next start is past a byte after it.
func nextWord(s []byte, i int) int {
	for i < len(s) && isAlnum(s[i]) {
		i++
	}
	return i + 1
}

// idPass: at each word start (i is one on every turn), letters then a digit, digits then a letter, or
// letters, - or _, then a digit; then the rest of the letters and digits.
func idPass(dst, s []byte) []byte {
	pos := 0
	for i := 0; i < len(s); {
		end := idEnd(s, i)
		if end < 0 {
			i = nextWord(s, i)
			continue
		}
		dst = append(append(dst, s[pos:i]...), "<id>"...)
		pos = end
		i = nextWord(s, end)
	}
	return rest(dst, s, pos)
}

func idEnd(s []byte, w int) int {
	j := w
	for j < len(s) && isLetter(s[j]) {
		j++
	}
	switch {
	case j > w && j < len(s) && isDigit(s[j]):
		return alnumEnd(s, j+1)
	case j > w && j+1 < len(s) && (s[j] == '-' || s[j] == '_') && isDigit(s[j+1]):
		return alnumEnd(s, j+2)
	case j > w:
		return -1
	}
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j > w && j < len(s) && isLetter(s[j]) {
		return alnumEnd(s, j+1)
	}
	return -1
}

func alnumEnd(s []byte, j int) int {
	for j < len(s) && isAlnum(s[j]) {
		j++
	}
	return j
}

// numberPass: at a word start, an optional minus, digits, and a dot with
// digits if one follows.
func numberPass(dst, s []byte) []byte {
	pos := 0
	for i := 0; i < len(s); {
		j := i
		if s[j] == '-' {
			j++
		}
		d := j
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == d {
			i = nextWord(s, i)
			continue
		}
		if j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
			j += 2
			for j < len(s) && isDigit(s[j]) {
				j++
			}
		}
		dst = append(append(dst, s[pos:i]...), "<n>"...)
		pos = j
		i = nextWord(s, j)
	}
	return rest(dst, s, pos)
}
