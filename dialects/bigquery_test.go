package dialects

import (
	"strconv"
	"strings"
	"testing"
)

// readBigQuery reads one quoted literal from the start of sql the way
// BigQuery's lexer does: backslash escapes, no doubled quotes, no raw newline.
func readBigQuery(t *testing.T, sql string, q byte) (string, string) {
	t.Helper()
	if sql == "" || sql[0] != q {
		t.Fatalf("%q does not start with %c", sql, q)
	}
	var b strings.Builder
	for i := 1; i < len(sql); i++ {
		switch c := sql[i]; c {
		case q:
			return b.String(), sql[i+1:]
		case '\n', '\r':
			t.Fatalf("%q: raw line break inside a literal", sql)
		case '\\':
			i++
			switch e := sql[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 'x':
				n, err := strconv.ParseUint(sql[i+1:i+3], 16, 8)
				if err != nil {
					t.Fatalf("%q: bad \\x escape", sql)
				}
				b.WriteByte(byte(n))
				i += 2
			case '\\', '\'', '"', '`':
				b.WriteByte(e)
			default:
				t.Fatalf("%q: unknown escape \\%c", sql, e)
			}
		default:
			b.WriteByte(c)
		}
	}
	t.Fatalf("%q: literal never ends", sql)
	return "", ""
}

func TestBigQueryQuoting(t *testing.T) {
	d := BigQuery{}
	for _, s := range hostileText {
		want := safeText(s)
		for _, c := range []struct {
			q   byte
			out string
		}{{'\'', d.String(s)}, {'`', d.Ident(s)}} {
			got, rest := readBigQuery(t, c.out, c.q)
			if got != want || rest != "" {
				t.Errorf("%q quoted as %s reads back as %q with %q left over", s, c.out, got, rest)
			}
		}
	}
	if got := d.Table("proj.synctrack", "sync_log"); got != "`proj.synctrack`.`sync_log`" {
		t.Errorf("Table = %s", got)
	}
}
