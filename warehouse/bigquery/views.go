package bigquery

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// InstallViews creates or updates one view per analysis template that needs
// no parameters, as on every engine, through the API (putView): one call to
// read each view and one to change it when its SQL differs.
func (w *Warehouse) InstallViews(ctx context.Context) ([]string, error) {
	vs, err := analysis.Views(w.d, w.c.Dataset)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(vs))
	for i, v := range vs {
		if err := w.putView(ctx, v.Name, "CREATE OR REPLACE VIEW "+w.table(v.Name)+" AS\n"+v.Body); err != nil {
			return nil, err
		}
		names[i] = v.Name
	}
	return names, nil
}

// RefreshViews rebuilds sync_log and each given sync's typed view and catalog
// rows, as DuckDB does, in a number of jobs that does not grow with the syncs:
// one read of the payload schemas, one of the catalog, one script writing the
// catalog in a transaction; views are then put through the API, and one that
// fails for a cause of its own (warehouse.OwnViewFault) does not stop the
// others: the failed come back as warehouse.ViewErrors, their catalog rows
// ahead of their views until a refresh puts them.
func (w *Warehouse) RefreshViews(ctx context.Context, syncIDs []string) error {
	if err := w.putView(ctx, "sync_log", w.d.SyncLogView(w.c.Dataset)); err != nil || len(syncIDs) == 0 {
		return err
	}
	if _, err := w.InstallViews(ctx); err != nil {
		return err
	}
	want := bigquery.QueryParameter{Name: "syncs", Value: syncIDs}
	fields := map[string]map[string]string{}
	err := w.read(ctx, "SELECT sync_configuration_id, TO_JSON_STRING(payload_schema) FROM "+w.table("sync_runs")+
		" WHERE sync_configuration_id IN UNNEST(@syncs) ORDER BY started_at, _file",
		func(r []bigquery.Value) error {
			var m map[string]string
			if json.Unmarshal([]byte(str(r[1])), &m) != nil {
				return nil
			}
			id := str(r[0])
			if fields[id] == nil {
				fields[id] = map[string]string{}
			}
			for f, t := range m {
				t = dialects.NormalizeType(t)
				if old, ok := fields[id][f]; ok && old != t {
					t = "json"
				}
				fields[id][f] = t
			}
			return nil
		}, want)
	if err != nil {
		return wrap("read payload schemas", err)
	}
	existing := map[string][]dialects.PayloadColumn{}
	named := map[string]string{} // sync -> view
	taken := map[string]string{} // view -> sync
	err = w.read(ctx, "SELECT sync_configuration_id, view_name, field_name, column_name, column_type FROM "+
		w.table("payload_columns")+" ORDER BY column_name", func(r []bigquery.Value) error {
		id, view := str(r[0]), str(r[1])
		named[id], taken[view] = view, id
		existing[id] = append(existing[id], dialects.PayloadColumn{Field: str(r[2]), Column: str(r[3]), Type: str(r[4])})
		return nil
	})
	if err != nil {
		return wrap("read payload_columns", err)
	}
	base := make([]string, len(dialects.RecordsColumns))
	for i, c := range dialects.RecordsColumns {
		base[i] = c.Name
	}
	ids := append([]string(nil), syncIDs...)
	sort.Strings(ids)
	var rows [][]any
	type viewDef struct{ name, sql string }
	views := map[string]viewDef{} // sync -> its view
	for _, id := range ids {
		view := named[id]
		if view == "" {
			view = dialects.ViewName(id)
			for n := 2; taken[view] != "" && taken[view] != id; n++ {
				view = fmt.Sprintf("%s_%d", dialects.ViewName(id), n)
			}
			taken[view] = id
		}
		cols := w.fitView(id, view, base, warehouse.TypedColumns(w.log, id, existing[id], fields[id], base))
		for _, c := range cols {
			rows = append(rows, []any{id, view, c.Field, c.Column, c.Type})
		}
		views[id] = viewDef{view, w.d.TypedView(w.c.Dataset, view, id, base, cols)}
	}
	in := dialects.BQBatch{Columns: w.d.Array(dialects.ColumnsType, rows), Syncs: w.d.StringArray(ids)}
	if err := w.query(ctx, w.d.Transaction(w.d.ReplacePayloadColumns(w.c.Dataset, in)...)); err != nil {
		return wrap("write payload_columns", err)
	}
	failed := warehouse.ViewErrors{}
	for _, id := range ids {
		err := w.putView(ctx, views[id].name, views[id].sql)
		if err != nil && !warehouse.OwnViewFault(ctx, err) {
			return err
		}
		if err != nil {
			failed[id] = err
		}
	}
	return failed.Err()
}
