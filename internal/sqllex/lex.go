// Package sqllex is a SQL lexer written from the engines' documented
// lexical rules, sharing no code with package dialects: it is how the tests
// tell where a literal or a quoted name really ends, and what it reads as,
// and how query finds a statement's first word (comments skipped): to refuse
// a transaction statement (BEGIN, COMMIT, ...) and to name a statement the
// engine describes as returning no rows. The engines differ:
//
//	           'string'                 quoted name        comments
//	DuckDB     '' is a quote; \ is \    "", "" is a quote  -- and /* */
//	PostgreSQL as DuckDB (with standard_conforming_strings on, its default)
//	Snowflake  '' and \-escapes         "", "" is a quote  -- // and /* */
//	BigQuery   \-escapes only; "" too   `, \-escapes       -- # and /* */
//
// Lex splits a statement into tokens; the Unquote functions read one quoted
// token, and Lex reads its quoted tokens with them.
package sqllex

import (
	"fmt"
	"strings"
)

// Kind is what a token is.
type Kind int

const (
	Word  Kind = iota // keyword, function or bare name, as written
	Str               // string literal: Text is the value it reads as
	Ident             // quoted name: Text is the name
	Num
	Param // bind placeholder: Text is $1, :1 or @name as written
	Punct
)

// Token is one token of a statement.
type Token struct {
	Kind Kind
	Text string
	Raw  string // the bytes as written
}

func (t Token) String() string { return t.Raw }

// Lex splits sql into tokens, dropping spaces and comments, as dialect
// (duckdb, postgres, snowflake, bigquery) reads it.
func Lex(dialect, sql string) ([]Token, error) {
	var out []Token
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
			kind, val, after, err := quoted(dialect, rest)
			if err != nil {
				return nil, fmt.Errorf("at %d: %w", i, err)
			}
			i += len(rest) - len(after)
			out = append(out, Token{kind, val, sql[start:i]})
			continue
		case isWordStart(c):
			i = scan(sql, i+1, isWordByte)
			out = append(out, Token{Word, sql[start:i], sql[start:i]})
			continue
		case c >= '0' && c <= '9':
			i = scan(sql, i, func(b byte) bool { return b >= '0' && b <= '9' || b == '.' })
			out = append(out, Token{Num, sql[start:i], sql[start:i]})
			continue
		case c == '$' && (dialect == "duckdb" || dialect == "postgres"), c == ':' && dialect == "snowflake":
			if j := scan(sql, i+1, func(b byte) bool { return b >= '0' && b <= '9' }); j > i+1 {
				i = j
				out = append(out, Token{Param, sql[start:i], sql[start:i]})
				continue
			}
		case c == '@' && dialect == "bigquery" && i+1 < len(sql) && isWordStart(sql[i+1]):
			i = scan(sql, i+1, isWordByte)
			out = append(out, Token{Param, sql[start:i], sql[start:i]})
			continue
		}
		n := 1
		for _, op := range []string{"<>", "<=", ">=", "!=", "||", "::"} {
			if strings.HasPrefix(rest, op) {
				n = 2
			}
		}
		i += n
		out = append(out, Token{Punct, sql[start:i], sql[start:i]})
	}
	return out, nil
}

// quoted reads the literal or quoted name at the start of s by dialect's
// rules: its kind, its value and what follows it.
func quoted(dialect, s string) (Kind, string, string, error) {
	q := s[0]
	kind := Str
	if q == '`' || q == '"' && dialect != "bigquery" {
		kind = Ident
	}
	var val, rest string
	var err error
	switch {
	case dialect == "bigquery":
		val, rest, err = UnquoteGoogleSQL(s, q)
	case dialect == "snowflake" && q == '\'':
		val, rest, err = UnquoteSnowflakeString(s)
	default:
		val, rest, err = UnquoteDoubled(s, q)
	}
	return kind, val, rest, err
}

func isWordStart(b byte) bool { return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

func isWordByte(b byte) bool { return isWordStart(b) || b >= '0' && b <= '9' || b == '$' }

func scan(s string, i int, ok func(byte) bool) int {
	for i < len(s) && ok(s[i]) {
		i++
	}
	return i
}
