package bigquery

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/gen"
)

// At debug level every job BigQuery is sent shows in the log with its SQL:
// the ledger read, the dry run over the files and the batch's script.
func TestDebugLogShowsJobSQL(t *testing.T) {
	f := newBQFake(t)
	c := newCountedBucket(t)
	f.schema = serverSchema(c)
	writeRecords(t, c, "r1", 0, 2, gen.Shape{})
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w := openFakeWith(t, f, c, Config{Mode: "loaded", Logger: log})
	if _, err := w.Ledger(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.LoadRecords(context.Background(), files(t, c, "sync_tracking_datasets/")); err != nil {
		t.Fatal(err)
	}
	var sqls []string
	for _, line := range strings.Split(buf.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		group, _ := m["bigquery"].(map[string]any)
		if q, ok := group["sql"].(string); ok {
			sqls = append(sqls, q)
		}
	}
	all := strings.Join(sqls, "\n")
	for _, want := range []string{"FROM `synctrack`.`load_ledger`", "INSERT INTO `synctrack`.`sync_records`"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %s among the %d statements logged:\n%s", want, len(sqls), all)
		}
	}
}
