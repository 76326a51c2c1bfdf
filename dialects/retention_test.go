package dialects

import (
	"strings"
	"testing"
	"time"
)

// The retention SQL on each engine, golden: the cutoff and the note are
// the dialect's own literals, and every condition on sync_records filters
// batch_started_at, BigQuery's partitioning column.
func TestExpireGolden(t *testing.T) {
	cutoff := time.Date(2026, 1, 14, 0, 0, 0, 0, time.UTC)
	note := "expired: retention keeps 7 days, rows before 2026-01-14 deleted"
	for _, d := range []Dialect{DuckDB{}, Postgres{}, BigQuery{}} {
		s := Expire(d, "synctrack", cutoff, note)
		got := strings.Join(append(append(append([]string(nil), s.Files...), s.Ledger), s.Rows), ";\n") + ";\n"
		if bq, ok := d.(BigQuery); ok {
			got = bq.ExpireScript("synctrack", s, note) + "\n"
		}
		if !strings.Contains(got, "2026-01-14T00:00:00Z") || strings.Count(got, "batch_started_at") < 3 {
			t.Errorf("%s: the cutoff is not what every statement filters on:\n%s", d.Name(), got)
		}
		checkGolden(t, d.Name()+"_expire", got)
	}
}
