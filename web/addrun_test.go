package web_test

import (
	dbsql "database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testRecord is one row addRun writes; a nil status or batch start is SQL
// NULL in the file.
type testRecord struct {
	ident   string
	status  *string
	message string
	batch   *string // a TIMESTAMPTZ literal's text
}

func strp(s string) *string { return &s }

// addRun writes a run folder of the bucket at dir: its metadata.json
// (started, when not "", as its start) and, when rows are given, one
// records file of them.
func addRun(t *testing.T, dir, org, sync, run, started string, rows []testRecord) {
	t.Helper()
	d := filepath.Join(dir, "sync_tracking_datasets", org, sync, run)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	m := map[string]any{"org_id": org, "workspace_id": "1", "sync_configuration_id": sync, "sync_run_id": run,
		"record_payload_schema": map[string]string{"k": "number"}}
	if started != "" {
		m["started_at"] = started
	}
	b, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(d, "metadata.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		return
	}
	lit := func(s *string) string {
		if s == nil {
			return "NULL"
		}
		return "'" + strings.ReplaceAll(*s, "'", "''") + "'"
	}
	var vals []string
	for i, r := range rows {
		vals = append(vals, fmt.Sprintf("(%s, '{\"k\": %d}', 'upsert', %s, %s, CAST(%s AS TIMESTAMPTZ))",
			lit(&r.ident), i, lit(r.status), lit(&r.message), lit(r.batch)))
	}
	db, err := dbsql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := `COPY (SELECT identifier, record_payload, operation, status, nullif(status_message, '') AS status_message,
  batch_started_at, batch_started_at AS batch_ended_at
FROM (VALUES ` + strings.Join(vals, ",\n") + `) AS v(identifier, record_payload, operation, status, status_message, batch_started_at))
TO '` + strings.ReplaceAll(filepath.Join(d, "records_updated.0.parquet"), "'", "''") + `' (FORMAT parquet)`
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}
