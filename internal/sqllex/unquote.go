package sqllex

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// These read one quoted token from the start of sql by each engine's
// documented lexical rules, written from the manuals and not from the quoting
// code, and return its value and whatever follows the closing quote.

// ErrUnterminated: the token's closing quote never comes.
var ErrUnterminated = errors.New("literal never ends")

// UnquoteDoubled reads a token whose only escape is a doubled quote: DuckDB
// (Postgres) identifiers and standard string constants, and Snowflake quoted
// identifiers. A backslash is an ordinary character there.
func UnquoteDoubled(sql string, q byte) (val, rest string, err error) {
	if sql == "" || sql[0] != q {
		return "", "", fmt.Errorf("does not start with %c", q)
	}
	var b strings.Builder
	for i := 1; i < len(sql); i++ {
		switch {
		case sql[i] != q:
			b.WriteByte(sql[i])
		case i+1 < len(sql) && sql[i+1] == q:
			b.WriteByte(q)
			i++
		default:
			return b.String(), sql[i+1:], nil
		}
	}
	return "", "", ErrUnterminated
}

// UnquoteSnowflakeString reads a Snowflake single-quoted string constant: a
// doubled quote or \' is a quote; \" \\ \b \f \n \r \t \0, \ooo octal, \xhh hex and \uhhhh
// are escapes; a backslash before any other character is dropped.
func UnquoteSnowflakeString(sql string) (val, rest string, err error) {
	if sql == "" || sql[0] != '\'' {
		return "", "", errors.New("does not start with '")
	}
	var b strings.Builder
	for i := 1; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == '\'' && i+1 < len(sql) && sql[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == '\'':
			return b.String(), sql[i+1:], nil
		case c != '\\':
			b.WriteByte(c)
		case i+1 == len(sql):
			return "", "", ErrUnterminated
		default:
			n, err := snowflakeEscape(&b, sql[i+1:])
			if err != nil {
				return "", "", err
			}
			i += n
		}
	}
	return "", "", ErrUnterminated
}

// snowflakeEscape decodes the escape after a backslash and returns its length.
func snowflakeEscape(b *strings.Builder, s string) (int, error) {
	switch c := s[0]; {
	case strings.IndexByte("bfnrt", c) >= 0:
		b.WriteByte("\b\f\n\r\t"[strings.IndexByte("bfnrt", c)])
		return 1, nil
	case c == 'x' || c == 'u':
		n := map[byte]int{'x': 2, 'u': 4}[c]
		if len(s) <= n {
			return 0, fmt.Errorf("short \\%c escape", c)
		}
		v, err := strconv.ParseUint(s[1:1+n], 16, 32)
		if err != nil {
			return 0, fmt.Errorf("bad \\%c escape", c)
		}
		b.WriteRune(rune(v))
		return 1 + n, nil
	case c >= '0' && c <= '7' && len(s) >= 3:
		if v, err := strconv.ParseUint(s[:3], 8, 32); err == nil {
			b.WriteRune(rune(v))
			return 3, nil
		}
	}
	if s[0] == '0' {
		b.WriteByte(0)
		return 1, nil
	}
	_, size := utf8.DecodeRuneInString(s)
	b.WriteString(s[:size]) // \' \" \\ and any other character: the character
	return size, nil
}

// UnquoteGoogleSQL reads a BigQuery quoted string (q is ' or ") or quoted
// identifier (q is `): both take the same backslash escapes, none doubled
// quotes, and a quoted literal may not hold a raw line break.
func UnquoteGoogleSQL(sql string, q byte) (val, rest string, err error) {
	if sql == "" || sql[0] != q {
		return "", "", fmt.Errorf("does not start with %c", q)
	}
	var b strings.Builder
	for i := 1; i < len(sql); i++ {
		switch c := sql[i]; {
		case c == q:
			return b.String(), sql[i+1:], nil
		case c == '\n' || c == '\r':
			return "", "", errors.New("raw line break inside a literal")
		case c != '\\':
			b.WriteByte(c)
		case i+1 == len(sql):
			return "", "", ErrUnterminated
		default:
			n, err := googleSQLEscape(&b, sql[i+1:])
			if err != nil {
				return "", "", err
			}
			i += n
		}
	}
	return "", "", ErrUnterminated
}

// googleSQLEscape decodes the escape after a backslash and returns its length:
// \a \b \f \n \r \t \v \\ \? \" \' \`, \ooo (three octal digits), \xhh or
// \Xhh, \uhhhh, \Uhhhhhhhh. Anything else is an error.
func googleSQLEscape(b *strings.Builder, s string) (int, error) {
	simple := map[byte]byte{'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
		'\\': '\\', '?': '?', '"': '"', '\'': '\'', '`': '`'}
	if r, ok := simple[s[0]]; ok {
		b.WriteByte(r)
		return 1, nil
	}
	digits, base, from, asByte := 0, 16, 1, false
	switch s[0] {
	case 'x', 'X':
		digits, asByte = 2, true
	case 'u':
		digits = 4
	case 'U':
		digits = 8
	case '0', '1', '2', '3':
		digits, base, from, asByte = 3, 8, 0, true
	default:
		return 0, fmt.Errorf("unknown escape \\%c", s[0])
	}
	if len(s) < from+digits {
		return 0, fmt.Errorf("short \\%c escape", s[0])
	}
	v, err := strconv.ParseUint(s[from:from+digits], base, 32)
	switch {
	case err != nil:
		return 0, fmt.Errorf("bad \\%c escape: %v", s[0], err)
	case asByte: // \x and \ooo name a byte
		b.WriteByte(byte(v))
	case !utf8.ValidRune(rune(v)):
		return 0, fmt.Errorf("\\%s is no code point", s[:from+digits])
	default:
		b.WriteRune(rune(v))
	}
	return from + digits, nil
}
