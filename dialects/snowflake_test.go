package dialects

import (
	"strings"
	"testing"
)

// hostileText is what untrusted names and values may hold.
var hostileText = []string{
	"", "plain", "it's", `say "hi"`, `back\slash`, `trailing\`, `\'`, `''`, "semi; DROP TABLE x; --",
	"/* comment */", "new\nline", "tab\there", "nul\x00byte", "bad utf8 \xff", "`tick`", "$1 ? :1 @p",
	"Ünïcødé 名前", `\\'); --`,
}

// readSnowflake reads one literal from the start of sql the way Snowflake's
// lexer does: doubled quotes and backslash escapes in strings, "" in identifiers. It returns the
// value and the rest of sql after the closing quote.
func readSnowflake(t *testing.T, sql string, q byte) (string, string) {
	t.Helper()
	if sql == "" || sql[0] != q {
		t.Fatalf("%q does not start with %c", sql, q)
	}
	var b strings.Builder
	for i := 1; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == q && i+1 < len(sql) && sql[i+1] == q:
			b.WriteByte(q)
			i++
		case c == q:
			return b.String(), sql[i+1:]
		case c == '\\' && q == '\'' && i+1 < len(sql):
			i++
			b.WriteByte(sql[i]) // \\ and \' are the only escapes we emit
		default:
			b.WriteByte(c)
		}
	}
	t.Fatalf("%q: literal never ends", sql)
	return "", ""
}

func TestSnowflakeQuoting(t *testing.T) {
	d := Snowflake{}
	for _, s := range hostileText {
		want := safeText(s)
		for _, c := range []struct {
			q   byte
			out string
		}{{'\'', d.String(s)}, {'"', d.Ident(s)}} {
			got, rest := readSnowflake(t, c.out, c.q)
			if got != want || rest != "" {
				t.Errorf("%q quoted as %s reads back as %q with %q left over", s, c.out, got, rest)
			}
		}
	}
	if got := d.Table("synctrack", "sync_log"); got != `"synctrack"."sync_log"` {
		t.Errorf("Table = %s", got)
	}
}
