package postgres

import (
	"strings"
	"testing"

	"github.com/synctrack/synctrack/dialects"
)

// appendRow writes each of sync_records' columns in the binary form of the
// type the dialect gives it: a change of a column's type must change the
// encoder too.
func TestCopyMatchesRecordsColumns(t *testing.T) {
	encoded := []string{"TEXT", "JSONB", "TEXT", "TEXT", "TEXT", "TIMESTAMPTZ", "TIMESTAMPTZ", "TEXT", "TEXT", "TEXT",
		"TEXT", "BIGINT", "TEXT", "BIGINT", "JSONB", "TIMESTAMPTZ"}
	var got []string
	for _, c := range dialects.RecordsColumns {
		got = append(got, dialects.PostgresType(c.Type))
	}
	if strings.Join(got, ",") != strings.Join(encoded, ",") {
		t.Errorf("sync_records' types %v; appendRow encodes %v", got, encoded)
	}
}
