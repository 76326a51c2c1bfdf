package duckdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// RefreshViews rebuilds sync_log and, for each sync, its typed view and its rows
// in payload_columns, in one transaction. A sync's fields are the union over
// its runs' payload schemas; a field whose type differs between runs becomes
// JSON. Column names already given stay as they are. Should one sync's view
// fail for a cause of its own (warehouse.OwnViewFault), DuckDB having no
// savepoints, each other sync is rebuilt in a transaction of its own and the
// failed ones come back as warehouse.ViewErrors.
func (w *Warehouse) RefreshViews(ctx context.Context, syncIDs []string) error {
	var bad string
	err := w.inTx(ctx, nil, func(tx *sql.Tx) error {
		taken, err := w.refreshShared(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range syncIDs {
			if err := w.refreshSync(ctx, tx, id, taken); err != nil {
				bad = id
				return err
			}
		}
		return nil
	})
	switch {
	case err == nil || bad == "":
		return err
	case !warehouse.OwnViewFault(ctx, err):
		return fmt.Errorf("typed view for sync %q: %w", bad, err)
	}
	failed := warehouse.ViewErrors{bad: err}
	// The view names are read once: a sync's new name stays in taken even
	// when its transaction rolls back, which only keeps it from another.
	var taken map[string]string
	if err := w.inTx(ctx, nil, func(tx *sql.Tx) error {
		var err error
		taken, err = w.refreshShared(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	for _, id := range syncIDs {
		if id == bad {
			continue
		}
		err := w.inTx(ctx, nil, func(tx *sql.Tx) error { return w.refreshSync(ctx, tx, id, taken) })
		if err != nil && !warehouse.OwnViewFault(ctx, err) {
			return fmt.Errorf("typed view for sync %q: %w", id, err)
		}
		if err != nil {
			failed[id] = err
		}
	}
	return failed
}

// refreshShared rebuilds sync_log and the analysis views, and returns the
// typed views' names (viewNames).
func (w *Warehouse) refreshShared(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	if _, err := w.exec(ctx, tx, w.d.SyncLogView(w.schema)); err != nil {
		return nil, fmt.Errorf("sync_log: %w", err)
	}
	if _, err := w.installViews(ctx, tx); err != nil {
		return nil, fmt.Errorf("report views: %w", err)
	}
	return w.viewNames(ctx, tx)
}

// viewNames maps each view name in payload_columns to its sync.
func (w *Warehouse) viewNames(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	rows, err := w.query(ctx, tx, `SELECT DISTINCT view_name, sync_configuration_id FROM `+w.table("payload_columns"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var v, s string
		if err := rows.Scan(&v, &s); err != nil {
			return nil, err
		}
		out[v] = s
	}
	return out, rows.Err()
}

func (w *Warehouse) refreshSync(ctx context.Context, tx *sql.Tx, syncID string, taken map[string]string) error {
	fields, err := w.syncFields(ctx, tx, syncID)
	if err != nil {
		return err
	}
	existing, view, err := w.payloadColumns(ctx, tx, syncID)
	if err != nil {
		return err
	}
	if view == "" {
		view = dialects.ViewName(syncID)
		for n := 2; taken[view] != "" && taken[view] != syncID; n++ {
			view = fmt.Sprintf("%s_%d", dialects.ViewName(syncID), n)
		}
		taken[view] = syncID
	}
	base := dialects.Names(dialects.RecordsColumns)
	cols := warehouse.TypedColumns(w.log, syncID, existing, fields, base)
	pc := w.table("payload_columns")
	if _, err := w.exec(ctx, tx, `DELETE FROM `+pc+` WHERE sync_configuration_id = ?`, syncID); err != nil {
		return err
	}
	rows := make([][]any, len(cols))
	for i, c := range cols {
		rows[i] = []any{syncID, view, c.Field, c.Column, c.Type}
	}
	if err := w.insertValues(ctx, tx, pc, 5, rows); err != nil {
		return err
	}
	_, err = w.exec(ctx, tx, w.d.TypedView(w.schema, view, syncID, base, cols))
	return err
}

// syncFields is the union of a sync's payload schemas.
func (w *Warehouse) syncFields(ctx context.Context, tx *sql.Tx, syncID string) (map[string]string, error) {
	rows, err := w.query(ctx, tx, `SELECT CAST(payload_schema AS VARCHAR) FROM `+w.table("sync_runs")+
		` WHERE sync_configuration_id = ? ORDER BY started_at NULLS LAST, _file`, syncID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	fields := map[string]string{}
	for rows.Next() {
		var raw sql.NullString
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var m map[string]string
		if !raw.Valid || json.Unmarshal([]byte(raw.String), &m) != nil {
			continue
		}
		for f, t := range m {
			t = dialects.NormalizeType(t)
			if old, ok := fields[f]; ok && old != t {
				t = "json"
			}
			fields[f] = t
		}
	}
	return fields, rows.Err()
}

func (w *Warehouse) payloadColumns(ctx context.Context, tx *sql.Tx, syncID string) ([]dialects.PayloadColumn, string, error) {
	rows, err := w.query(ctx, tx, `SELECT view_name, field_name, column_name, column_type FROM `+
		w.table("payload_columns")+` WHERE sync_configuration_id = ? ORDER BY column_name`, syncID)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []dialects.PayloadColumn
	var view string
	for rows.Next() {
		var c dialects.PayloadColumn
		if err := rows.Scan(&view, &c.Field, &c.Column, &c.Type); err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	return out, view, rows.Err()
}
