package snowflake

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// RefreshViews rebuilds payload_columns for the given syncs (one transaction),
// then sync_log and each sync's typed view. A sync's fields are the union over
// its runs' payload schemas; a field whose type differs between runs becomes
// JSON; column names once given stay. Views are DDL, so they follow the
// catalog's commit; a failure leaves the catalog ahead, and the next refresh
// renders the same views from it. A view that fails for a cause of its own
// (warehouse.OwnViewFault) does not stop the others': the failed come back
// as warehouse.ViewErrors.
func (w *Warehouse) RefreshViews(ctx context.Context, syncIDs []string) error {
	if len(syncIDs) == 0 {
		return nil
	}
	fields, err := w.syncFields(ctx, syncIDs)
	if err != nil {
		return err
	}
	existing, views, err := w.catalog(ctx)
	if err != nil {
		return err
	}
	taken := map[string]string{}
	for id, v := range views {
		taken[v] = id
	}
	base := columnNames(dialects.RecordsColumns)
	type viewDef struct {
		id, view string
		cols     []dialects.PayloadColumn
	}
	var defs []viewDef
	var rows [][]any
	for _, id := range syncIDs {
		view := views[id]
		if view == "" {
			view = dialects.ViewName(id)
			for n := 2; taken[view] != "" && taken[view] != id; n++ {
				view = fmt.Sprintf("%s_%d", dialects.ViewName(id), n)
			}
			taken[view] = id
		}
		cols := warehouse.TypedColumns(w.log, id, existing[id], fields[id], base)
		defs = append(defs, viewDef{id, view, cols})
		for _, c := range cols {
			rows = append(rows, []any{id, view, c.Field, c.Column, c.Type})
		}
	}
	pc := w.table("payload_columns")
	err = w.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range chunks(syncIDs) {
			if err := w.exec(ctx, tx, "DELETE FROM "+pc+" WHERE "+w.d.In("sync_configuration_id", c)); err != nil {
				return err
			}
		}
		for start := 0; start < len(rows); start += ledgerChunk {
			if err := w.exec(ctx, tx, w.d.InsertPayloadColumns(w.schema, rows[start:min(start+ledgerChunk, len(rows))])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := w.exec(ctx, w.db, w.d.SyncLogView(w.schema)); err != nil {
		return err
	}
	if _, err := w.InstallViews(ctx); err != nil {
		return err
	}
	failed := warehouse.ViewErrors{}
	for _, v := range defs {
		err := w.exec(ctx, w.db, w.d.TypedView(w.schema, v.view, v.id, base, v.cols))
		if err != nil && !warehouse.OwnViewFault(ctx, err) {
			return fmt.Errorf("typed view for sync %q: %w", v.id, err)
		}
		if err != nil {
			failed[v.id] = err
		}
	}
	return failed.Err()
}

// InstallViews creates or replaces one view per analysis template that needs
// no parameters (run_summary, rejections_by_fingerprint, ...), as on every
// engine. Each is its own DDL statement: Snowflake commits DDL at once.
func (w *Warehouse) InstallViews(ctx context.Context) ([]string, error) {
	vs, err := analysis.Views(w.d, w.schema)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(vs))
	for i, v := range vs {
		if err := w.exec(ctx, w.db, "CREATE OR REPLACE VIEW "+w.table(v.Name)+" AS\n"+v.Body); err != nil {
			return nil, fmt.Errorf("view %s: %w", v.Name, err)
		}
		names[i] = v.Name
	}
	return names, nil
}

// syncFields reads the union of each sync's payload schemas, in one query.
func (w *Warehouse) syncFields(ctx context.Context, syncIDs []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, id := range syncIDs {
		out[id] = map[string]string{}
	}
	for _, c := range chunks(syncIDs) {
		q := "SELECT " + w.d.Ident("sync_configuration_id") + ", " + w.d.Ident("payload_schema") + "::VARCHAR FROM " +
			w.table("sync_runs") + " WHERE " + w.d.In("sync_configuration_id", c) +
			" ORDER BY " + w.d.Ident("started_at") + " NULLS LAST, " + w.d.Ident("_file")
		w.log.Debug("query", "sql", q)
		rows, err := w.db.QueryContext(ctx, q)
		if err != nil {
			return nil, w.classify(err, q)
		}
		err = func() error {
			defer rows.Close()
			for rows.Next() {
				var id string
				var raw sql.NullString
				if err := rows.Scan(&id, &raw); err != nil {
					return err
				}
				var m map[string]string
				if !raw.Valid || json.Unmarshal([]byte(raw.String), &m) != nil || out[id] == nil {
					continue
				}
				for f, t := range m {
					t = dialects.NormalizeType(t)
					if old, ok := out[id][f]; ok && old != t {
						t = "json"
					}
					out[id][f] = t
				}
			}
			return rows.Err()
		}()
		if err != nil {
			return nil, w.classify(err, q)
		}
	}
	return out, nil
}

// catalog reads payload_columns: each sync's columns and view name.
func (w *Warehouse) catalog(ctx context.Context) (map[string][]dialects.PayloadColumn, map[string]string, error) {
	q := "SELECT " + w.d.Ident("sync_configuration_id") + ", " + w.d.Ident("view_name") + ", " + w.d.Ident("field_name") +
		", " + w.d.Ident("column_name") + ", " + w.d.Ident("column_type") + " FROM " + w.table("payload_columns")
	rows, err := w.db.QueryContext(ctx, q)
	if err != nil {
		return nil, nil, w.classify(err, q)
	}
	defer rows.Close()
	cols := map[string][]dialects.PayloadColumn{}
	views := map[string]string{}
	for rows.Next() {
		var id, view string
		var c dialects.PayloadColumn
		if err := rows.Scan(&id, &view, &c.Field, &c.Column, &c.Type); err != nil {
			return nil, nil, w.classify(err, q)
		}
		cols[id] = append(cols[id], c)
		views[id] = view
	}
	for id := range cols {
		sort.Slice(cols[id], func(i, j int) bool { return cols[id][i].Column < cols[id][j].Column })
	}
	return cols, views, w.classify(rows.Err(), q)
}

func columnNames(cols []dialects.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}
