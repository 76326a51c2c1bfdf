package postgres

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// repairs makes text PostgreSQL can store and counts what it changed:
// PostgreSQL refuses bytes that are not UTF-8 and NUL bytes in text (and
// \u0000 and lone surrogate escapes in jsonb), and refuses the whole COPY
// for one such value. Bad bytes become U+FFFD, each byte one, as the
// loader's repair of staged files does; NUL bytes are dropped.
type repairs struct {
	badUTF8, nul, escapes int
}

// text returns b as a string to store. Good text (nearly all of it) is not
// copied: the string shares b's bytes, which stay put until the COPY has
// encoded the row.
func (r *repairs) text(b []byte) string {
	if utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 {
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	out := make([]byte, 0, len(b)+8)
	bad, nul := false, false
	for i := 0; i < len(b); {
		c, n := utf8.DecodeRune(b[i:])
		switch {
		case c == utf8.RuneError && n <= 1:
			out = utf8.AppendRune(out, utf8.RuneError)
			bad = true
		case c == 0:
			nul = true
		default:
			out = append(out, b[i:i+n]...)
		}
		i += max(n, 1)
	}
	if bad {
		r.badUTF8++
	}
	if nul {
		r.nul++
	}
	return string(out)
}

// note says what was repaired, for the file's ledger row; "" if nothing.
func (r repairs) note() string {
	var parts []string
	if r.badUTF8 > 0 {
		parts = append(parts, fmt.Sprintf("repaired %d string values that were not valid UTF-8 (bad bytes replaced by U+FFFD)", r.badUTF8))
	}
	if r.nul > 0 {
		parts = append(parts, fmt.Sprintf("dropped NUL bytes from %d string values (PostgreSQL text cannot hold them)", r.nul))
	}
	if r.escapes > 0 {
		parts = append(parts, fmt.Sprintf("replaced \\u0000 or lone surrogate escapes by \\ufffd in %d JSON values (jsonb cannot hold them)", r.escapes))
	}
	return strings.Join(parts, "; ")
}
