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
		for _, c := range []struct {
			q         byte
			out, want string
		}{{'\'', d.String(s), safeText(s)}, {'"', d.Ident(s), SnowflakeName(safeText(s))}, {'"', d.Quote(s), safeText(s)}} {
			got, rest := readSnowflake(t, c.out, c.q)
			if got != c.want || rest != "" {
				t.Errorf("%q quoted as %s reads back as %q with %q left over", s, c.out, got, rest)
			}
		}
	}
	if got := d.Table("synctrack", "sync_log"); got != `"SYNCTRACK"."SYNC_LOG"` {
		t.Errorf("Table = %s", got)
	}
}

// TestSnowflakeIdentCasing: a name synctrack creates resolves as the same name
// written unquoted would, so a user's unquoted synctrack.sync_log finds it;
// a name Snowflake would not take unquoted keeps its case.
func TestSnowflakeIdentCasing(t *testing.T) {
	d := Snowflake{}
	for in, want := range map[string]string{
		"sync_log": `"SYNC_LOG"`, "status": `"STATUS"`, "_file": `"_FILE"`, "Email": `"EMAIL"`,
		"a$b": `"A$B"`, "rows": `"ROWS"`, "f_2fa": `"F_2FA"`, "sync_records_52275": `"SYNC_RECORDS_52275"`,
		`x"y`: `"x""y"`, "My Field": `"My Field"`, "1abc": `"1abc"`, "$x": `"$x"`, "Ünï": `"Ünï"`, "": `""`,
	} {
		if got := d.Ident(in); got != want {
			t.Errorf("Ident(%q) = %s, want %s", in, got, want)
		}
	}
	if got := d.Quote("my_stage"); got != `"my_stage"` {
		t.Errorf("Quote keeps case: %s", got)
	}
	if got := d.Path("ANALYTICS", "My Schema", "stage"); got != `"ANALYTICS"."My Schema"."stage"` {
		t.Errorf("Path quotes resolved parts as given: %s", got)
	}
	// JSON paths into VARIANT are data: the field keeps its case.
	v := d.TypedView("synctrack", "sync_records_1", "1", []string{"identifier"},
		[]PayloadColumn{{Field: "Email", Column: "email_2", Type: "string"}})
	if !strings.Contains(v, `"RECORD_PAYLOAD":"Email"::VARCHAR AS "EMAIL_2"`) {
		t.Errorf("typed view:\n%s", v)
	}
}
