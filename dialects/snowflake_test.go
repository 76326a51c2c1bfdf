package dialects

import (
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/sqllex"
)

// hostileText is what untrusted names and values may hold.
var hostileText = []string{
	"", "plain", "it's", `say "hi"`, `back\slash`, `trailing\`, `\'`, `''`, "semi; DROP TABLE x; --",
	"/* comment */", "new\nline", "tab\there", "nul\x00byte", "bad utf8 \xff", "`tick`", "$1 ? :1 @p",
	"Ünïcødé 名前", `\\'); --`,
}

func TestSnowflakeQuoting(t *testing.T) {
	d := Snowflake{}
	for _, s := range hostileText {
		for _, c := range []struct {
			q         byte
			out, want string
		}{{'\'', d.String(s), safeText(s)}, {'"', d.Ident(s), SnowflakeName(safeText(s))}, {'"', d.Quote(s), safeText(s)}} {
			read := sqllex.UnquoteSnowflakeString
			if c.q == '"' {
				read = func(tok string) (string, string, error) { return sqllex.UnquoteDoubled(tok, '"') }
			}
			got, rest, err := read(c.out)
			if err != nil || got != c.want || rest != "" {
				t.Errorf("%q quoted as %s reads back as %q (%v) with %q left over", s, c.out, got, err, rest)
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
