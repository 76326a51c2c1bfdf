package postgres

import "unsafe"

// payload returns record_payload as the text of a jsonb value. Valid JSON is
// kept as written, except for the escapes jsonb refuses (\u0000, and a
// surrogate escape that is not half of a pair), which become \ufffd and are
// counted. Anything else is kept as a JSON string holding the text, as on
// the other engines.
func (r *repairs) payload(s string) string {
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	ok, uEscape := validJSON(b)
	if !ok {
		return string(appendJSONString(make([]byte, 0, len(s)+16), s))
	}
	if uEscape {
		if fixed, changed := fixEscapes(b); changed {
			r.escapes++
			return string(fixed)
		}
	}
	return s
}

// fixEscapes replaces, in valid JSON, each \u0000 and each lone surrogate
// escape by \ufffd. A \\ is skipped whole, so \\u0000 (a backslash, then
// text) is left alone.
func fixEscapes(b []byte) ([]byte, bool) {
	var out []byte
	last := 0
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if i+1 < len(b) && b[i+1] != 'u' {
			i++ // \\, \", \n ...: one escape
			continue
		}
		if i+5 >= len(b) {
			break
		}
		c := hex4(b[i+2 : i+6])
		switch {
		case c >= 0xD800 && c <= 0xDBFF && i+11 < len(b) && b[i+6] == '\\' && b[i+7] == 'u' &&
			hex4(b[i+8:i+12]) >= 0xDC00 && hex4(b[i+8:i+12]) <= 0xDFFF:
			i += 11 // a whole pair
			continue
		case c != 0 && (c < 0xD800 || c > 0xDFFF):
			i += 5
			continue
		}
		out = append(append(out, b[last:i]...), `\ufffd`...)
		last = i + 6
		i += 5
	}
	if out == nil {
		return b, false
	}
	return append(out, b[last:]...), true
}

func hex4(h []byte) int {
	n := 0
	for _, c := range h {
		n <<= 4
		switch {
		case c >= '0' && c <= '9':
			n |= int(c - '0')
		case c >= 'a' && c <= 'f':
			n |= int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			n |= int(c-'A') + 10
		}
	}
	return n
}
