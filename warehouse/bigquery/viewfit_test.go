package bigquery

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/dialects"
)

// A sync of 1,500 fields named with 100 characters: its typed view would be
// some 400 K characters, which BigQuery refuses. The view keeps the longest
// run of its columns, in order, that fits, and the warning names the sync
// and the first field left out.
func TestTypedViewFitsBigQuerysLimit(t *testing.T) {
	var logs bytes.Buffer
	w := &Warehouse{d: dialects.BigQuery{}, c: Config{Dataset: "ds"}, log: slog.New(slog.NewTextHandler(&logs, nil))}
	var cols []dialects.PayloadColumn
	for i := range dialects.MaxViewFields {
		f := fmt.Sprintf("field %04d %s", i, strings.Repeat("x", 89))
		cols = append(cols, dialects.PayloadColumn{Field: f, Column: fmt.Sprintf("field_%04d_%s", i, strings.Repeat("x", 89)), Type: "number"})
	}
	base := []string{"sync_configuration_id", "record_payload"}
	body := func(cs []dialects.PayloadColumn) string {
		_, b, _ := strings.Cut(w.d.TypedView("ds", "v", "s1", base, cs), " AS\n")
		return b
	}
	if n := len(body(cols)); n <= maxViewQuery {
		t.Fatalf("the whole view is %d bytes: the test wants one past BigQuery's limit", n)
	}
	got := w.fitView("s1", "v", base, cols)
	if len(got) == 0 || len(got) == len(cols) {
		t.Fatalf("kept %d of %d columns", len(got), len(cols))
	}
	for i, c := range got {
		if c != cols[i] {
			t.Fatalf("column %d: %+v, want %+v (the first columns, in order)", i, c, cols[i])
		}
	}
	if n := len(body(got)); n > maxViewQuery {
		t.Errorf("the fitted view is %d bytes, past %d", n, maxViewQuery)
	}
	if n := len(body(cols[:len(got)+1])); n <= maxViewQuery {
		t.Errorf("one more column (%d bytes) would fit too", n)
	}
	if !strings.Contains(logs.String(), "sync=s1") || !strings.Contains(logs.String(), `first="`+cols[len(got)].Field+`"`) {
		t.Errorf("warning: %s", logs.String())
	}
	if short := cols[:10]; len(w.fitView("s1", "v", base, short)) != 10 {
		t.Error("a view that fits lost columns")
	}
}
