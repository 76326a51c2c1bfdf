package dialects

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// checkGolden compares got with testdata/name.golden (rewritten with -update).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n%s", name, p, got)
	}
}

// recordsFile is a new-style records file; legacyFile lacks the ids and has an
// integer identifier, timestamps without zone and an unknown column.
var (
	recordsFile = []Column{{"identifier", "STRING"}, {"record_payload", "STRING"}, {"operation", "STRING"},
		{"status", "STRING"}, {"status_message", "STRING"}, {"batch_started_at", "TIMESTAMP"},
		{"batch_ended_at", "TIMESTAMP"}, {"sync_configuration_id", "STRING"}, {"sync_run_id", "STRING"}}
	legacyFile = []Column{{"identifier", "INT64"}, {"record_payload", "STRING"}, {"operation", "STRING"},
		{"status", "STRING"}, {"status_message", "STRING"}, {"batch_started_at", "DATETIME"},
		{"batch_ended_at", "DATETIME"}, {"Retry Count`", "INT64"}}
	added = []AddedColumn{{File: "Retry Count`", Column: "retry_count", Type: "INT64"}}
)

// Path (a): one script over external tables of the batch's files, one per schema.
func TestBigQueryRecordsExternalGolden(t *testing.T) {
	d := BigQuery{}
	srcs := []BQSource{
		d.ExternalSource("synctrack", "_st_ext_c1_0", recordsFile),
		d.ExternalSource("synctrack", "_st_ext_c1_1", legacyFile),
	}
	got := d.Transaction(d.ReplaceRecords("synctrack", testBatch(), srcs, added, nil)...)
	checkGolden(t, "bigquery_records_external", got)
	for _, want := range []string{"b.uri = _FILE_NAME", "TIMESTAMP(t.`batch_started_at`, 'UTC')",
		"CAST(t.`identifier` AS STRING)", "t.`Retry Count\\``", "COALESCE(t.`sync_run_id`, b.run_id)"} {
		if !strings.Contains(got, want) {
			t.Errorf("script lacks %s", want)
		}
	}
}

// Path (b): the same script over staging tables, read through one wildcard per schema.
func TestBigQueryRecordsStagingGolden(t *testing.T) {
	d := BigQuery{}
	srcs := []BQSource{d.StagingSource("synctrack", "_st_c1_g0_", recordsFile)}
	got := d.Transaction(d.ReplaceRecords("synctrack", testBatch(), srcs, nil, nil)...)
	checkGolden(t, "bigquery_records_staging", got)
	if n := strings.Count(got, "`synctrack`.`_st_c1_g0_*`"); n != 1 {
		t.Errorf("staging wildcard referenced %d times, want 1", n)
	}
}

func TestBigQueryExternalModeGolden(t *testing.T) {
	d := BigQuery{}
	checkGolden(t, "bigquery_external_gcs", strings.Join(d.ExternalRecords("synctrack", "gs://acme-logs/", ""), ";\n"))
	got := strings.Join(d.ExternalRecords("synctrack", "s3://acme-logs", "proj.aws-us-east-1.s3conn"), ";\n")
	checkGolden(t, "bigquery_external_s3", got)
	if !strings.Contains(got, "WITH CONNECTION `proj.aws-us-east-1.s3conn`") ||
		!strings.Contains(got, "'s3://acme-logs/sync_tracking_datasets/*.parquet'") {
		t.Errorf("S3 external table lacks its Omni connection or URI:\n%s", got)
	}
}

func TestBigQueryFactsGolden(t *testing.T) {
	d := BigQuery{}
	src := d.StagingSource("synctrack", "_st_c1_f0_", []Column{{"id", "INT64"}, {"type", "STRING"}, {"name", "STRING"}})
	checkGolden(t, "bigquery_facts", d.Transaction(d.ReplaceFacts("synctrack", "destinations", testBatch(), []BQSource{src}, nil, nil)...))
	empty := d.ReplaceFacts("synctrack", "destinations", testBatch(), nil, nil, nil)
	if !strings.HasPrefix(empty[0], "DELETE FROM") || strings.Contains(strings.Join(empty, ";"), "INSERT INTO `synctrack`.`destinations`") {
		t.Errorf("no files must empty the table and insert nothing: %q", empty)
	}
	kept := d.ReplaceFacts("synctrack", "destinations", testBatch(), []BQSource{src}, []string{"metadata/2/d.parquet'); --"},
		[]string{"metadata/3/d.parquet"})
	keep := `UNNEST(ARRAY<STRING>['metadata/2/d.parquet\'); --'])`
	if kept[0] != "DELETE FROM `synctrack`.`destinations` WHERE _file IS NULL OR _file NOT IN "+keep {
		t.Errorf("a rebuild keeping a file's rows empties the rest: %q", kept[0])
	}
	if !strings.HasPrefix(kept[1], "INSERT INTO") ||
		!strings.HasPrefix(kept[2], "DELETE FROM `synctrack`.`destinations` WHERE _file IN "+keep) ||
		!strings.Contains(kept[2], "WHERE _file IN UNNEST(ARRAY<STRING>['metadata/3/d.parquet'])") ||
		!strings.HasPrefix(kept[3], "DELETE FROM `synctrack`.`destinations` WHERE _file NOT IN "+keep) {
		t.Errorf("after the insert, a kept row must give way to a newer file's and the other files' to it: %q", kept[1:4])
	}
}

func TestBigQueryTypedViewGolden(t *testing.T) {
	d := BigQuery{}
	got := d.TypedView("synctrack", "sync_records_x", "x'; DROP", viewBase, hostileColumns())
	checkGolden(t, "bigquery_typed_view_hostile", got)
	if !strings.Contains(got, "`record_payload`['x\"); DROP TABLE sync_records; --']") {
		t.Errorf("hostile field not read by subscript:\n%s", got)
	}
	if !strings.Contains(got, "WHERE `sync_configuration_id` = 'x\\'; DROP'") {
		t.Errorf("sync id not quoted:\n%s", got)
	}
}

func TestBigQueryTables(t *testing.T) {
	tables := BigQueryTables()
	if len(tables) != 10 {
		t.Fatalf("%d tables, want 10 (sync_records, sync_runs, daemon_lease, load_ledger, payload_columns, three fact tables, two counts tables)", len(tables))
	}
	for name, cols := range tables {
		for _, c := range cols {
			if c.Type == "" || strings.Contains(c.Type, "VARCHAR") || strings.Contains(c.Type, "TIMESTAMPTZ") {
				t.Errorf("%s.%s has type %q", name, c.Name, c.Type)
			}
		}
	}
	if got := tables["sync_records"][1]; got != (Column{"record_payload", "JSON"}) {
		t.Errorf("record_payload = %v", got)
	}
}

func testBatch() BQBatch {
	d := BigQuery{}
	a := testArrays()
	return BQBatch{
		Files:    d.StagedArray("synctrack", "_st_batch_c1", a, "files"),
		Ledger:   d.StagedArray("synctrack", "_st_batch_c1", a, "ledger"),
		LoadedAt: d.Value(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)),
	}
}

func TestBigQueryArray(t *testing.T) {
	d := BigQuery{}
	got := d.Array("ARRAY<STRUCT<a STRING, b INT64, c TIMESTAMP, d BOOL>>", [][]any{
		{"it's", int64(-1), time.Date(2026, 1, 2, 3, 4, 5, 6000, time.FixedZone("x", 3600)), true}, {nil, 2, nil, false}})
	want := "ARRAY<STRUCT<a STRING, b INT64, c TIMESTAMP, d BOOL>>[('it\\'s', -1, TIMESTAMP '2026-01-02 02:04:05.000006+00', true), (NULL, 2, NULL, false)]"
	if got != want {
		t.Errorf("Array =\n%s\nwant\n%s", got, want)
	}
}

// Path (a)'s dry run: one temporary definition per file, each file's columns
// as the element type of one result column.
func TestBigQuerySchemaProbeGolden(t *testing.T) {
	d := BigQuery{}
	got := d.SchemaProbe([]string{"_st_file_0", "_st_file_1", "odd`name"})
	checkGolden(t, "bigquery_schema_probe", got)
	if n := strings.Count(got, "ARRAY(SELECT AS STRUCT * FROM "); n != 3 {
		t.Errorf("%d tables probed, want 3:\n%s", n, got)
	}
	if !strings.Contains(got, "FROM `odd\\`name` LIMIT 0) AS `odd\\`name`") {
		t.Errorf("a table name is not quoted:\n%s", got)
	}
}

// Row counts come from BigQuery, per _FILE_NAME over the batch's external
// tables, into the ledger array before the transaction writes it; the
// script's last statement returns their total.
func TestBigQueryCountRowsGolden(t *testing.T) {
	d := BigQuery{}
	in := testBatch()
	decl := d.Declare(&in)
	srcs := []BQSource{
		d.ExternalSource("synctrack", "_st_ext_c1_0", recordsFile),
		d.ExternalSource("synctrack", "_st_ext_c1_1", legacyFile),
	}
	uris, set := d.CountRows(in, []string{srcs[0].From, srcs[1].From})
	got := strings.Join(append(append(decl, uris), append(set, d.SumRows(in.Ledger))...), ";\n") + ";\n"
	checkGolden(t, "bigquery_count_rows", got)
	for _, want := range []string{"FROM `synctrack`.`_st_ext_c1_0` WHERE _FILE_NAME IN UNNEST(_st_uris)",
		"FROM `synctrack`.`_st_ext_c1_1` WHERE _FILE_NAME IN UNNEST(_st_uris)", "SET _st_ledger = ARRAY(",
		"REPLACE (COALESCE(c.n, 0) AS `rows`)", "JOIN UNNEST(_st_files) b ON b.uri = x.uri"} {
		if !strings.Contains(got, want) {
			t.Errorf("counts lack %s:\n%s", want, got)
		}
	}
	_, none := d.CountRows(in, nil)
	if len(none) != 1 || none[0] != "SET _st_ledger = ARRAY(SELECT AS STRUCT l.* REPLACE (0 AS `rows`) FROM UNNEST(_st_ledger) l)" {
		t.Errorf("no external table (only empty objects): %s", none)
	}
}
