// Package shellword writes a value as one word of a POSIX shell's command
// line, for the commands synctrack prints for a person to paste (generate's
// next step, the web pages' hints): a value from a bucket or a path with a
// space runs as printed, never as more than one word or a second command.
package shellword

import "strings"

// Quote is s as one shell word: as it is when it holds only characters no
// shell reads specially, else in single quotes (a quote in it as '\”).
func Quote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:=@,%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
