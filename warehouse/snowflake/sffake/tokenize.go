package sffake

import (
	"fmt"
	"strings"
)

type token struct {
	kind byte // 'i' identifier, 'q' quoted identifier, 's' string, 'n' number, 'p' punctuation
	text string
}

func tokenize(q string) ([]token, error) {
	var out []token
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(q); j++ {
				if q[j] == '\\' && j+1 < len(q) {
					j++
					b.WriteByte(q[j])
				} else if q[j] == '\'' {
					if j+1 < len(q) && q[j+1] == '\'' {
						b.WriteByte('\'')
						j++
						continue
					}
					break
				} else {
					b.WriteByte(q[j])
				}
			}
			out, i = append(out, token{'s', b.String()}), j+1
		case c == '"':
			j := i + 1
			var b strings.Builder
			for ; j < len(q); j++ {
				if q[j] == '"' {
					if j+1 < len(q) && q[j+1] == '"' {
						b.WriteByte('"')
						j++
						continue
					}
					break
				}
				b.WriteByte(q[j])
			}
			out, i = append(out, token{'q', b.String()}), j+1
		case c == '<' && i+1 < len(q) && q[i+1] == '>', c == '!' && i+1 < len(q) && q[i+1] == '=':
			out, i = append(out, token{'p', "<>"}), i+2
		case strings.IndexByte("(),.=<>;", c) >= 0:
			out, i = append(out, token{'p', string(c)}), i+1
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(q) && (q[j] >= '0' && q[j] <= '9' || q[j] == '.') {
				j++
			}
			out, i = append(out, token{'n', q[i:j]}), j
		case c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i + 1
			for j < len(q) && (q[j] == '_' || q[j] == '$' || q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z' || q[j] >= '0' && q[j] <= '9') {
				j++
			}
			out, i = append(out, token{'i', strings.ToUpper(q[i:j])}), j
		default:
			return nil, fmt.Errorf("unexpected %q", c)
		}
	}
	return out, nil
}
