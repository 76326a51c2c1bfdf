package sqllex

import "testing"

// TestLexers holds the readers to examples from the engines' manuals, so that
// a fuzz failure is the quoting's fault and not theirs.
func TestLexers(t *testing.T) {
	doubled := func(q byte) func(string) (string, string, error) {
		return func(s string) (string, string, error) { return UnquoteDoubled(s, q) }
	}
	googleSQL := func(q byte) func(string) (string, string, error) {
		return func(s string) (string, string, error) { return UnquoteGoogleSQL(s, q) }
	}
	for _, c := range []struct {
		name      string
		read      func(string) (string, string, error)
		in        string
		val, rest string
		err       bool
	}{
		{"duckdb", doubled('\''), `'it''s' x`, "it's", " x", false},
		{"duckdb", doubled('\''), `'a\' b'`, `a\`, " b'", false},
		{"duckdb", doubled('"'), `"a""b"`, `a"b`, "", false},
		{"duckdb", doubled('"'), `"a`, "", "", true},
		{"snowflake", UnquoteSnowflakeString, `'it\'s'`, "it's", "", false},
		{"snowflake", UnquoteSnowflakeString, `'it''s'`, "it's", "", false},
		{"snowflake", UnquoteSnowflakeString, `'\\'`, `\`, "", false},
		{"snowflake", UnquoteSnowflakeString, `'\x41\u00e9\101\0\z\t'`, "Aé" + "A\x00z\t", "", false},
		{"snowflake", UnquoteSnowflakeString, `'a\'`, "", "", true},
		{"bigquery", googleSQL('\''), `'it\'s'`, "it's", "", false},
		{"bigquery", googleSQL('\''), `'it''s'`, "it", "'s'", false},
		{"bigquery", googleSQL('`'), "`a" + `\\` + "`b`", `a\`, "b`", false},
		{"bigquery", googleSQL('`'), "`a\\`b`", "a`b", "", false},
		{"bigquery", googleSQL('`'), "`" + `\x41\X42\101\u00e9\U0001F600\?` + "`", "ABAé😀?", "", false},
		{"bigquery", googleSQL('\''), `'\q'`, "", "", true},
		{"bigquery", googleSQL('\''), `'\x4'`, "", "", true},
		{"bigquery", googleSQL('\''), `'\uD800'`, "", "", true},
		{"bigquery", googleSQL('\''), "'a\nb'", "", "", true},
	} {
		val, rest, err := c.read(c.in)
		if (err != nil) != c.err || !c.err && (val != c.val || rest != c.rest) {
			t.Errorf("%s %s: %q, %q, %v; want %q, %q (error %v)", c.name, c.in, val, rest, err, c.val, c.rest, c.err)
		}
	}
}
