package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/warehouse"
)

// Two runs of a sync, each naming 1,000 fields of its own: the typed view
// holds the first 1,500 (PostgreSQL's views hold 1,600 columns, so the
// refresh of every sync failed).
func TestTypedViewFieldsUnionCapped(t *testing.T) {
	ctx := context.Background()
	w := open(t, pgtest.URL(t), warehouse.Options{})
	var runs []warehouse.Run
	for _, r := range []string{"a", "b"} {
		fields := map[string]string{}
		for i := range 1000 {
			fields[fmt.Sprintf("%s field %04d", r, i)] = "number"
		}
		runs = append(runs, warehouse.Run{
			Object: warehouse.Object{Key: "sync_tracking_datasets/1/s1/" + r + "/metadata.json", ETag: r, Kind: warehouse.KindMetadata},
			Meta:   warehouse.RunMeta{OrgID: "1", SyncConfigurationID: "s1", SyncRunID: r, PayloadSchema: fields, Raw: []byte(`{}`)}})
	}
	if err := w.LoadRuns(ctx, runs); err != nil {
		t.Fatal(err)
	}
	if err := w.RefreshViews(ctx, []string{"s1"}); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	got := rowsOf(t, w, `SELECT count(*), count(*) FILTER (WHERE field_name LIKE 'b field %') FROM synctrack_schema.payload_columns WHERE sync_configuration_id = 's1'`)
	if want := fmt.Sprintf("%d|500", dialects.MaxViewFields); len(got) != 1 || got[0] != want {
		t.Errorf("payload_columns (all|run b's): %v, want %s", got, want)
	}
	view := rowsOf(t, w, `SELECT DISTINCT view_name FROM synctrack_schema.payload_columns WHERE sync_configuration_id = 's1'`)
	if len(view) != 1 {
		t.Fatalf("views of s1: %v", view)
	}
	got = rowsOf(t, w, `SELECT count(*) FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name LIKE '%field%'`, w.Schema(), view[0])
	if len(got) != 1 || got[0] != fmt.Sprint(dialects.MaxViewFields) {
		t.Errorf("the view's payload columns: %v, want %d", got, dialects.MaxViewFields)
	}
	if got := rowsOf(t, w, `SELECT count(*) FROM synctrack_schema.`+w.Dialect().Ident(view[0])); len(got) != 1 || got[0] != "0" {
		t.Errorf("the view reads %v", got)
	}
}
