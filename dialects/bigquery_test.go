package dialects

import (
	"testing"

	"github.com/synctrack/synctrack/internal/sqllex"
)

func TestBigQueryQuoting(t *testing.T) {
	d := BigQuery{}
	for _, s := range hostileText {
		want := safeText(s)
		for _, c := range []struct {
			q   byte
			out string
		}{{'\'', d.String(s)}, {'`', d.Ident(s)}} {
			got, rest, err := sqllex.UnquoteGoogleSQL(c.out, c.q)
			if err != nil || got != want || rest != "" {
				t.Errorf("%q quoted as %s reads back as %q (%v) with %q left over", s, c.out, got, err, rest)
			}
		}
	}
	if got := d.Table("proj.synctrack", "sync_log"); got != "`proj.synctrack`.`sync_log`" {
		t.Errorf("Table = %s", got)
	}
}
