package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/reportrun"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
)

// reportHistory is what synctrack report record_history --identifier
// historyIdent [--sync sync] --limit 0 --format csv lists, as sync/run/k:
// the record page's order is the report's (they ordered a run's rows each
// their own way).
func reportHistory(t *testing.T, whURL, sync string) []string {
	t.Helper()
	ctx := context.Background()
	_, w, err := engines.Open(ctx, whURL, warehouse.Options{ReadOnly: true, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	v := analysis.Values{analysis.ParamIdentifier: historyIdent}
	if sync != "" {
		v[analysis.ParamSync] = sync
	}
	var b bytes.Buffer
	ew, err := export.New("csv", &b)
	if err == nil {
		_, err = reportrun.Run(ctx, w, "record_history", v, ew)
	}
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("record_history: %v:\n%s", err, b.String())
	}
	col := func(name string) int {
		i := slices.Index(rows[0], name)
		if i < 0 {
			t.Fatalf("record_history has no column %s: %v", name, rows[0])
		}
		return i
	}
	s, r, p := col("sync_id"), col("sync_run_id"), col("record_payload")
	var out []string
	for _, row := range rows[1:] {
		var payload struct{ K int }
		if err := json.Unmarshal([]byte(row[p]), &payload); err != nil {
			t.Fatalf("record_history: payload %q: %v", row[p], err)
		}
		out = append(out, fmt.Sprintf("%s/%s/%d", row[s], row[r], payload.K))
	}
	return out
}
