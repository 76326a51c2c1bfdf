package bigquery_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// A sync of 1,500 fields named with 100 characters, beside a sync of one:
// the wide sync's view is cut to BigQuery's 256 K characters (the emulator
// takes longer; BigQuery refused it, and the refresh of every sync with
// it), and each sync's catalog rows are its view's columns.
func TestWideTypedViewFitsBigQuerysLimit(t *testing.T) {
	e := newEnv(t)
	w := e.open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	wide := map[string]string{}
	for i := range dialects.MaxViewFields {
		wide[fmt.Sprintf("field %04d %s", i, strings.Repeat("x", 89))] = "number"
	}
	run := func(sync string, fields map[string]string) warehouse.Run {
		return warehouse.Run{
			Object: warehouse.Object{Key: "sync_tracking_datasets/1/" + sync + "/r/metadata.json", ETag: sync, Kind: warehouse.KindMetadata},
			Meta:   warehouse.RunMeta{OrgID: "1", SyncConfigurationID: sync, SyncRunID: "r", PayloadSchema: fields, Raw: []byte(`{}`)}}
	}
	if err := w.LoadRuns(ctx, []warehouse.Run{run("s0wide", wide), run("s1narrow", map[string]string{"email": "string"})}); err != nil {
		t.Fatal(err)
	}
	if err := w.RefreshViews(ctx, []string{"s0wide", "s1narrow"}); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	got := bqRows(t, w, "SELECT sync_configuration_id, view_name, COUNT(*) FROM synctrack.payload_columns GROUP BY 1, 2")
	if len(got) != 2 {
		t.Fatalf("payload_columns by sync: %v", got)
	}
	for _, r := range got {
		f := strings.Split(r, "|")
		md, err := w.Client().Dataset("synctrack").Table(f[1]).Metadata(ctx)
		if err != nil {
			t.Fatalf("view %s of %s: %v", f[1], f[0], err)
		}
		if len(md.ViewQuery) > 256_000 {
			t.Errorf("view %s: %d characters, past BigQuery's 256 K", f[1], len(md.ViewQuery))
		}
		fields := strings.Count(md.ViewQuery, "`record_payload`[")
		if fmt.Sprint(fields) != f[2] {
			t.Errorf("view %s reads %d fields, its catalog has %s rows", f[1], fields, f[2])
		}
		if f[0] == "s0wide" && (fields == 0 || fields >= dialects.MaxViewFields) {
			t.Errorf("the wide view reads %d fields: want it cut below %d", fields, dialects.MaxViewFields)
		}
	}
}
