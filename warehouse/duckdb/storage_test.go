package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// The mostly-distinct columns of sync_records are stored with the compression
// the schema fixes, even where DuckDB on its own would pick another: the same
// payload on every row would otherwise be a dictionary segment. Columns whose
// values often repeat are left to DuckDB.
// The choice must survive a reopen, since every load opens the file anew.
func TestRecordsCompressionIsFixed(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.duckdb")
	cfg := duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: "256MB"}
	w, err := duckdb.Open(ctx, cfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	w, err = duckdb.Open(ctx, cfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	db := w.DB()
	if _, err := db.Exec(`INSERT INTO synctrack.sync_records (identifier, record_payload, status_message, _extra, operation)
SELECT 'same-id', '{"email":"a@example.com"}', 'the same message', '{"retry_count":1}', 'upsert' FROM range(200000)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT column_name, list(DISTINCT compression ORDER BY compression)
FROM pragma_storage_info('synctrack.sync_records') WHERE segment_type <> 'VALIDITY' GROUP BY column_name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]string{}
	for rows.Next() {
		var col string
		var methods []any
		if err := rows.Scan(&col, &methods); err != nil {
			t.Fatal(err)
		}
		for _, m := range methods {
			got[col] += m.(string) + " "
		}
	}
	for _, col := range []string{"identifier", "record_payload"} {
		if got[col] != "FSST " {
			t.Errorf("%s stored as %q, want FSST only", col, got[col])
		}
	}
	// Columns left to DuckDB pick their own: each holds a single value here.
	for _, col := range []string{"status_message", "_extra", "operation"} {
		if got[col] == "FSST " || got[col] == "" {
			t.Errorf("%s stored as %q: DuckDB should choose for it", col, got[col])
		}
	}
}
