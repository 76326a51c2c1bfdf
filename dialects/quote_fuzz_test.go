package dialects

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/synctrack/synctrack/internal/sqllex"
)

// FuzzQuoting reads every quoted token back with the engine's own lexical
// rules (internal/sqllex): it must hold exactly the text it was given, NULs dropped
// and invalid UTF-8 repaired as safeText documents, and end where the token
// ends, so nothing after the closing quote is read as SQL.
func FuzzQuoting(f *testing.F) {
	for _, s := range hostileText {
		f.Add(s, "sync_log")
	}
	f.Add(`\`, "`")
	f.Add("\\\x00'", "\\\xff`")
	f.Add("\x7f\x01\r\n", `\x41\u0041\101`)
	f.Add("sync_log", "a$B")
	f.Fuzz(func(t *testing.T, s, table string) {
		want := repaired(s)
		sfIdent := want
		if snowflakePlain.MatchString(want) {
			sfIdent = strings.ToUpper(want)
		}
		doubled := func(q byte) func(string) (string, string, error) {
			return func(tok string) (string, string, error) { return sqllex.UnquoteDoubled(tok, q) }
		}
		googleSQL := func(q byte) func(string) (string, string, error) {
			return func(tok string) (string, string, error) { return sqllex.UnquoteGoogleSQL(tok, q) }
		}
		for _, c := range []struct {
			name, tok, want string
			read            func(string) (string, string, error)
		}{
			{"DuckDB.Ident", DuckDB{}.Ident(s), want, doubled('"')},
			{"DuckDB.String", DuckDB{}.String(s), want, doubled('\'')},
			{"Postgres.Ident", Postgres{}.Ident(s), want, doubled('"')},
			{"Postgres.String", Postgres{}.String(s), want, doubled('\'')},
			{"Snowflake.Ident", Snowflake{}.Ident(s), sfIdent, doubled('"')},
			{"Snowflake.Quote", Snowflake{}.Quote(s), want, doubled('"')},
			{"Snowflake.String", Snowflake{}.String(s), want, sqllex.UnquoteSnowflakeString},
			{"BigQuery.Ident", BigQuery{}.Ident(s), want, googleSQL('`')},
			{"BigQuery.String", BigQuery{}.String(s), want, googleSQL('\'')},
		} {
			if !utf8.ValidString(c.tok) || strings.Contains(c.tok, "\x00") {
				t.Fatalf("%s(%q) = %q: NUL or invalid UTF-8", c.name, s, c.tok)
			}
			got, rest, err := c.read(c.tok)
			if err != nil || got != c.want || rest != "" {
				t.Fatalf("%s(%q) = %s reads as %q, %v, with %q after it; want %q", c.name, s, c.tok, got, err, rest, c.want)
			}
		}
		// schema.table: two tokens and a dot, nothing else.
		for _, c := range []struct {
			name, tok string
			read      func(string) (string, string, error)
		}{
			{"Snowflake.Table", Snowflake{}.Table(s, table), doubled('"')},
			{"Postgres.Table", Postgres{}.Table(s, table), doubled('"')},
			{"BigQuery.Table", BigQuery{}.Table(s, table), googleSQL('`')},
		} {
			_, rest, err := c.read(c.tok)
			if err == nil && strings.HasPrefix(rest, ".") {
				_, rest, err = c.read(rest[1:])
			}
			if err != nil || rest != "" {
				t.Fatalf("%s(%q, %q) = %s: %v, %q left over", c.name, s, table, c.tok, err, rest)
			}
		}
	})
}

// snowflakePlain is what Snowflake takes unquoted, and so upper-cases.
var snowflakePlain = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

// repaired is s as the quoting promises to pass it on: NUL bytes dropped, then
// each run of bytes that is not UTF-8 replaced by one U+FFFD.
func repaired(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\x00", "")
	bad := false
	for s != "" {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r != utf8.RuneError || n > 1:
			b.WriteString(s[:n])
			bad = false
		case !bad:
			b.WriteRune(utf8.RuneError)
			bad = true
		}
		s = s[n:]
	}
	return b.String()
}
