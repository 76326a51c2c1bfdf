package dialects

import (
	"strings"
	"testing"
	"time"
)

// testArrays is one file's row and its ledger row, as parameters.
func testArrays() *BQArrays {
	d := BigQuery{}
	var a BQArrays
	at := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	d.AddArray(&a, "files", FilesType, [][]any{{0, "gs://b/k'1", "k'1", "1001", "52275", nil, "records_updated", int64(3), at}})
	d.AddArray(&a, "ledger", LedgerType, [][]any{{"k'1", "\"e1\"", int64(10), "records", "loaded", int64(2), nil, int64(1), at, nil}})
	return &a
}

// The batch's values are parameters, one typed array per field, never text.
func TestBigQueryStageArraysGolden(t *testing.T) {
	d := BigQuery{}
	a := testArrays()
	got := d.StageArrays("synctrack", "_st_batch_c1", a) + ";\n" + d.StagedArray("synctrack", "_st_batch_c1", a, "files")
	checkGolden(t, "bigquery_stage_arrays", got)
	if strings.Contains(got, "k'1") || strings.Contains(got, "52275") {
		t.Error("a value is in the query text")
	}
	want := map[string]string{"files_nulls": "[]string", "files_0": "[]int64", "files_2": "[]string",
		"files_8": "[]time.Time", "ledger_9": "[]time.Time"}
	seen := map[string]any{}
	for _, p := range a.Params {
		seen[p.Name] = p.Value
	}
	for n, typ := range want {
		if got := typeName(seen[n]); got != typ {
			t.Errorf("parameter %s is %s, want %s", n, got, typ)
		}
	}
	if nl := seen["files_nulls"].([]string)[0]; nl != "000001000" {
		t.Errorf("files null flags %q, want run_id NULL only", nl)
	}
	if len(a.Params) != 2+9+10 {
		t.Errorf("%d parameters, want 21", len(a.Params))
	}
}

func typeName(v any) string {
	switch v.(type) {
	case []string:
		return "[]string"
	case []int64:
		return "[]int64"
	case []time.Time:
		return "[]time.Time"
	}
	return "?"
}
