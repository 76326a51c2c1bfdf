package sqllex

import (
	"strings"
	"testing"
)

// The same bytes split as each engine reads them: comments, placeholders
// and a backslash before a quote (an escape on Snowflake and BigQuery, an
// ordinary character on DuckDB and PostgreSQL).
func TestLex(t *testing.T) {
	for _, c := range []struct {
		dialect, sql string
		want         string // the tokens' kinds and texts
	}{
		{"duckdb", `SELECT "a""b", 'x\' -- c` + "\n" + `= $1`, `W:SELECT I:a"b P:, S:x\ P:= R:$1`},
		{"postgres", `a /* b */ :: $12`, `W:a P::: R:$12`},
		{"snowflake", `'x\'y' // c` + "\n" + `:1 "Q"`, `S:x'y R::1 I:Q`},
		{"bigquery", "`t`.c # c\n@since 'a\\x41' \"s\"", "I:t P:. W:c R:@since S:aA S:s"},
	} {
		toks, err := Lex(c.dialect, c.sql)
		if err != nil {
			t.Errorf("%s %q: %v", c.dialect, c.sql, err)
			continue
		}
		var got []string
		for _, k := range toks {
			got = append(got, string("WSINRP"[k.Kind])+":"+k.Text)
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%s %q:\n got %s\nwant %s", c.dialect, c.sql, g, c.want)
		}
	}
	for _, c := range []struct{ dialect, sql string }{
		{"duckdb", `'open`}, {"snowflake", `'a\'`}, {"bigquery", `'\q'`}, {"duckdb", `/* open`},
	} {
		if toks, err := Lex(c.dialect, c.sql); err == nil {
			t.Errorf("%s %q lexed as %v, want an error", c.dialect, c.sql, toks)
		}
	}
}
