package sql

import (
	"bytes"
	"unsafe"
)

// FastFingerprint returns Fingerprint(msg) without regular expressions: each
// rule is a hand-written pass that finds the matches its pattern finds (the
// leftmost, then the one a backtracking matcher prefers, as Go's regexp and
// RE2 do), and a rule whose pattern needs a byte the message lacks is
// skipped. It is what DuckDB's counts call (a Go scalar function,
// warehouse/duckdb) instead of six regexp_replace calls per row; the fuzz
// and table tests hold it equal to Fingerprint. Bytes are matched as the
// patterns' ASCII classes see them, so UTF-8 runes (and invalid bytes) are
// never part of a match except inside a quoted value, as in the patterns.
func FastFingerprint(msg string) string {
	var f Fingerprinter
	return f.Fingerprint(msg)
}

// Fingerprinter computes FastFingerprint with buffers it keeps from one
// message to the next: one allocation a changed message (its result), none
// for one that stays. Not for concurrent use.
type Fingerprinter struct{ a, b []byte }

// Fingerprint is FastFingerprint(msg); msg itself when nothing matched.
func (f *Fingerprinter) Fingerprint(msg string) string {
	out := f.FingerprintBytes(unsafe.Slice(unsafe.StringData(msg), len(msg)))
	if len(out) == len(msg) && unsafe.SliceData(out) == unsafe.StringData(msg) {
		return msg
	}
	return string(out)
}

// FingerprintBytes is FastFingerprint of msg, which it does not change:
// msg itself when nothing matched, else bytes of the Fingerprinter's that
// the next call overwrites.
func (f *Fingerprinter) FingerprintBytes(msg []byte) []byte {
	var seen byte
	for _, c := range msg {
		seen |= needs[c]
	}
	// What a rule needs and the message lacks, no later text has: the
	// tokens add none of these bytes.
	passes := [...]struct {
		run  func(dst, src []byte) []byte
		need bool
	}{
		{uuidPass, seen&needDash != 0 && len(msg) >= 36},
		{emailPass, seen&needAt != 0},
		{quotedPass, seen&needQuote != 0},
		{hostPass, seen&needDot != 0},
		{idPass, seen&needDigit != 0},
		{numberPass, seen&needDigit != 0},
	}
	// A pass reads src and writes the other buffer; it returns nil when
	// nothing matched, and src stays. The first reads msg itself.
	src, bufs, next := msg, [2][]byte{f.a, f.b}, 0
	for _, p := range passes {
		if !p.need {
			continue
		}
		if out := p.run(bufs[next][:0], src); out != nil {
			bufs[next], src, next = out, out, 1-next
		}
	}
	f.a, f.b = bufs[0], bufs[1] // keep what grew
	return src
}

// needs marks the bytes some rule cannot match without.
var needs = func() (t [256]byte) {
	t['-'], t['@'], t['\''], t['.'] = needDash, needAt, needQuote, needDot
	for c := '0'; c <= '9'; c++ {
		t[c] = needDigit
	}
	return t
}()

const (
	needDash byte = 1 << iota
	needAt
	needQuote
	needDot
	needDigit
)

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }
func isHex(c byte) bool    { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
func isLower(c byte) bool  { return 'a' <= c && c <= 'z' }

// isEmailByte is [A-Za-z0-9._%+-], what may stand before an @.
func isEmailByte(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// isLabelByte is [A-Za-z0-9_-], a host label's byte.
func isLabelByte(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

// uuidPass: 8-4-4-4-12 hex digits, anywhere; the pattern has one length, so
// the leftmost match is the first offset where it fits.
func uuidPass(dst, s []byte) []byte {
	const n = 36
	pos := 0
	for i := 0; i+n <= len(s); i++ {
		if s[i+8] != '-' || !isUUID(s[i:i+n]) {
			continue
		}
		dst = append(append(dst, s[pos:i]...), "<uuid>"...)
		pos = i + n
		i = pos - 1
	}
	return rest(dst, s, pos)
}

func isUUID(s []byte) bool {
	for i, c := range s {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !isHex(c) {
			return false
		}
	}
	return true
}

// emailPass: a match needs an @, and the bytes before it that may stand
// there are all taken (none of them is an @, so starting earlier cannot
// reach one); after it, every byte that may follow, @ included.
func emailPass(dst, s []byte) []byte {
	pos := 0
	for {
		p := indexByte(s, pos, '@')
		if p < 0 {
			break
		}
		start := p
		for start > pos && isEmailByte(s[start-1]) {
			start--
		}
		end := p + 1
		for end < len(s) && (isEmailByte(s[end]) || s[end] == '@') {
			end++
		}
		dst = append(append(dst, s[pos:start]...), "<email>"...)
		pos = end
	}
	return rest(dst, s, pos)
}

// quotedPass: quotes pair up left to right; an unpaired last one stays.
func quotedPass(dst, s []byte) []byte {
	pos := 0
	for {
		open := indexByte(s, pos, '\'')
		if open < 0 {
			break
		}
		end := indexByte(s, open+1, '\'')
		if end < 0 {
			break
		}
		dst = append(append(dst, s[pos:open]...), "'<v>'"...)
		pos = end + 1
	}
	return rest(dst, s, pos)
}

// rest ends a pass: the text after its last match, or nil when nothing
// matched (every match is non-empty, so pos moved).
func rest(dst, s []byte, pos int) []byte {
	if pos == 0 {
		return nil
	}
	return append(dst, s[pos:]...)
}

func indexByte(s []byte, from int, c byte) int {
	if i := bytes.IndexByte(s[from:], c); i >= 0 {
		return from + i
	}
	return -1
}
