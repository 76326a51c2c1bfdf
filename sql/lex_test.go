package sql

import (
	"fmt"
	"strconv"
	"strings"
)

// This file is a SQL lexer written for the tests from the engines' documented
// lexical rules, sharing no code with package dialects: it is how the tests
// tell where a literal or a quoted name really ends. The three engines differ:
//
//	           'string'                 quoted name        comments
//	DuckDB     '' is a quote; \ is \    "", "" is a quote  -- and /* */
//	PostgreSQL as DuckDB (with standard_conforming_strings on, its default)
//	Snowflake  '' and \-escapes         "", "" is a quote  -- // and /* */
//	BigQuery   \-escapes only; "" too   `, \-escapes       -- # and /* */

type tokKind int

const (
	tWord  tokKind = iota // keyword, function or bare name, as written
	tStr                  // string literal: text is the value it reads as
	tIdent                // quoted name: text is the name
	tNum
	tParam // bind placeholder: text is $1, :1 or @name as written
	tPunct
)

type token struct {
	kind tokKind
	text string
	raw  string // the bytes as written
}

func (t token) String() string { return t.raw }

// lex splits sql into tokens, dropping spaces and comments, as dialect reads it.
func lex(dialect, sql string) ([]token, error) {
	var out []token
	for i := 0; i < len(sql); {
		c, rest := sql[i], sql[i:]
		start := i
		switch {
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			i++
			continue
		case strings.HasPrefix(rest, "--"), dialect == "bigquery" && c == '#', dialect == "snowflake" && strings.HasPrefix(rest, "//"):
			n := strings.IndexByte(rest, '\n')
			if n < 0 {
				n = len(rest)
			}
			i += n
			continue
		case strings.HasPrefix(rest, "/*"):
			n := strings.Index(rest[2:], "*/")
			if n < 0 {
				return nil, fmt.Errorf("unterminated comment at %d", i)
			}
			i += n + 4
			continue
		case c == '\'' || c == '"' || c == '`':
			kind, val, n, err := readQuoted(dialect, rest)
			if err != nil {
				return nil, fmt.Errorf("at %d: %w", i, err)
			}
			i += n
			out = append(out, token{kind, val, sql[start:i]})
			continue
		case isWordStart(c):
			i = scan(sql, i+1, isWordByte)
			out = append(out, token{tWord, sql[start:i], sql[start:i]})
			continue
		case c >= '0' && c <= '9':
			i = scan(sql, i, func(b byte) bool { return b >= '0' && b <= '9' || b == '.' })
			out = append(out, token{tNum, sql[start:i], sql[start:i]})
			continue
		case c == '$' && (dialect == "duckdb" || dialect == "postgres"), c == ':' && dialect == "snowflake":
			if j := scan(sql, i+1, func(b byte) bool { return b >= '0' && b <= '9' }); j > i+1 {
				i = j
				out = append(out, token{tParam, sql[start:i], sql[start:i]})
				continue
			}
		case c == '@' && dialect == "bigquery" && i+1 < len(sql) && isWordStart(sql[i+1]):
			i = scan(sql, i+1, isWordByte)
			out = append(out, token{tParam, sql[start:i], sql[start:i]})
			continue
		}
		n := 1
		for _, op := range []string{"<>", "<=", ">=", "!=", "||", "::"} {
			if strings.HasPrefix(rest, op) {
				n = 2
			}
		}
		i += n
		out = append(out, token{tPunct, sql[start:i], sql[start:i]})
	}
	return out, nil
}

// readQuoted reads the literal or quoted name at the start of s: its kind, its
// value and its length.
func readQuoted(dialect, s string) (tokKind, string, int, error) {
	q := s[0]
	kind := tStr
	if q == '`' || q == '"' && dialect != "bigquery" {
		kind = tIdent
	}
	doubling := dialect != "bigquery"                                       // '' or "" is one quote
	escapes := dialect == "bigquery" || dialect == "snowflake" && q == '\'' // \ starts an escape
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q && doubling && i+1 < len(s) && s[i+1] == q:
			b.WriteByte(q)
			i++
		case c == q:
			return kind, b.String(), i + 1, nil
		case c == '\\' && escapes:
			r, n, err := unescape(dialect, s[i+1:])
			if err != nil {
				return 0, "", 0, err
			}
			b.WriteString(r)
			i += n
		case dialect == "bigquery" && (c == '\n' || c == '\r'):
			return 0, "", 0, fmt.Errorf("a raw line break in a quoted literal")
		default:
			b.WriteByte(c)
		}
	}
	return 0, "", 0, fmt.Errorf("%c never closes", q)
}

// unescape reads the escape after a backslash: what it stands for and how
// many bytes it took. BigQuery refuses escapes it does not know; Snowflake
// reads any other \c as c.
func unescape(dialect, s string) (string, int, error) {
	if s == "" {
		return "", 0, fmt.Errorf("backslash at the end")
	}
	if r, ok := map[byte]string{'n': "\n", 'r': "\r", 't': "\t", 'b': "\b", 'f': "\f", '\\': `\`, '\'': "'", '"': `"`}[s[0]]; ok {
		return r, 1, nil
	}
	if s[0] == 'x' && len(s) >= 3 {
		if v, err := strconv.ParseUint(s[1:3], 16, 8); err == nil {
			return string([]byte{byte(v)}), 3, nil
		}
	}
	if dialect == "bigquery" {
		if s[0] == '`' || s[0] == '?' {
			return s[:1], 1, nil
		}
		return "", 0, fmt.Errorf("unknown escape \\%c", s[0])
	}
	return s[:1], 1, nil
}

func isWordStart(b byte) bool { return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

func isWordByte(b byte) bool { return isWordStart(b) || b >= '0' && b <= '9' || b == '$' }

func scan(s string, i int, ok func(byte) bool) int {
	for i < len(s) && ok(s[i]) {
		i++
	}
	return i
}
