package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// RefreshViews rebuilds sync_log, the analysis views and, for each sync, its
// typed view and its rows in payload_columns, in one transaction. A sync's
// fields are the union over its runs' payload schemas; a field whose type
// differs between runs becomes JSON. Column names already given stay. A
// sync whose view fails for a cause of its own (warehouse.OwnViewFault) is
// rolled back alone: the others are rebuilt, and it comes back in
// warehouse.ViewErrors.
func (w *Warehouse) RefreshViews(ctx context.Context, syncIDs []string) error {
	failed := warehouse.ViewErrors{}
	err := w.inTx(ctx, func(tx pgx.Tx) error {
		if err := w.replaceView(ctx, tx, "sync_log", w.d.SyncLogBody(w.schema)); err != nil {
			return fmt.Errorf("sync_log: %w", err)
		}
		if _, err := w.installViews(ctx, tx); err != nil {
			return fmt.Errorf("report views: %w", err)
		}
		taken, err := w.viewNames(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range cutNames(taken) {
			if !slices.Contains(syncIDs, id) {
				syncIDs = append(slices.Clip(syncIDs), id)
			}
		}
		for _, id := range syncIDs {
			err := w.refreshSyncAlone(ctx, tx, id, taken)
			if err != nil && !warehouse.OwnViewFault(ctx, err) {
				return fmt.Errorf("typed view for sync %q: %w", id, err)
			}
			if err != nil {
				failed[id] = err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return failed.Err()
}

// refreshSyncAlone is refreshSync in a savepoint: a sync whose view fails
// for a cause of its own (a view of the user's on it, say) is rolled back
// alone, and the transaction goes on with the other syncs. Its error is
// classified.
func (w *Warehouse) refreshSyncAlone(ctx context.Context, tx pgx.Tx, id string, taken map[string]string) error {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return classify(err)
	}
	if err := w.refreshSync(ctx, sp, id, taken); err != nil {
		if rerr := sp.Rollback(ctx); rerr != nil {
			return classify(rerr)
		}
		return classify(err)
	}
	return classify(sp.Commit(ctx))
}

// InstallViews creates or replaces one view per analysis template that
// needs no parameters, and returns their names.
func (w *Warehouse) InstallViews(ctx context.Context) ([]string, error) {
	var names []string
	err := w.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		names, err = w.installViews(ctx, tx)
		return err
	})
	return names, err
}

func (w *Warehouse) installViews(ctx context.Context, tx pgx.Tx) ([]string, error) {
	vs, err := analysis.Views(w.d, w.schema)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(vs))
	for i, v := range vs {
		if err := w.replaceView(ctx, tx, v.Name, v.Body); err != nil {
			return nil, fmt.Errorf("view %s: %w", v.Name, err)
		}
		names[i] = v.Name
	}
	return names, nil
}

// replaceView makes view name select body. CREATE OR REPLACE VIEW keeps
// whatever depends on the view, but cannot drop, rename, reorder or retype
// its columns (42P16, 42804), which a typed view's new field or a template
// of a newer synctrack may: then the view is dropped and created again,
// inside a savepoint so the failed attempt does not end the transaction.
// Views of the user's built on one of ours stop that drop (2BP01, a config
// error saying so).
func (w *Warehouse) replaceView(ctx context.Context, tx pgx.Tx, name, body string) error {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return err
	}
	v := w.table(name)
	_, err = sp.Exec(ctx, "CREATE OR REPLACE VIEW "+v+" AS\n"+body)
	if err == nil {
		return sp.Commit(ctx)
	}
	if rerr := sp.Rollback(ctx); rerr != nil {
		return rerr
	}
	if c := code(err); c != "42P16" && c != "42804" {
		return err
	}
	if _, err := tx.Exec(ctx, "DROP VIEW "+v); err != nil {
		return withDetail(err)
	}
	_, err = tx.Exec(ctx, "CREATE VIEW "+v+" AS\n"+body)
	return err
}

// withDetail adds the server's DETAIL to err's text, which pgx leaves out:
// for 2BP01 it names the objects that depend on the view ("view
// public.mine depends on view synctrack.sync_records_x"), the one thing a
// user needs to act on the error.
func withDetail(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Detail != "" {
		return fmt.Errorf("%w (%s)", err, pe.Detail)
	}
	return err
}

// maxName is the most bytes of a name PostgreSQL keeps: it cuts a longer
// one without a word.
const maxName = 63

// cutNames are the syncs whose view names in payload_columns PostgreSQL
// cut (named before ViewNameWithin bounded them): two such syncs could
// share one view, the other's rows in it. Each refresh renames them, and
// rebuilds a sync whose own name is such a cut name (found by a review:
// the rename dropped that sync's view).
func cutNames(taken map[string]string) []string {
	var ids []string
	add := func(id string) {
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for v, id := range taken {
		if len(v) > maxName {
			add(id)
			add(taken[v[:maxName]]) // a sync named exactly as the cut name: its view may hold the other's rows
		}
	}
	slices.Sort(ids)
	return ids
}

// viewNames maps each view name in payload_columns to its sync.
func (w *Warehouse) viewNames(ctx context.Context, tx pgx.Tx) (map[string]string, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT view_name, sync_configuration_id FROM `+w.table("payload_columns"))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	var v, s string
	_, err = pgx.ForEachRow(rows, []any{&v, &s}, func() error { out[v] = s; return nil })
	return out, err
}

func (w *Warehouse) refreshSync(ctx context.Context, tx pgx.Tx, syncID string, taken map[string]string) error {
	fields, err := w.syncFields(ctx, tx, syncID)
	if err != nil {
		return err
	}
	existing, view, err := w.payloadColumns(ctx, tx, syncID)
	if err != nil {
		return err
	}
	if len(view) > maxName {
		// Named before names were bounded: PostgreSQL made the view under
		// the name's first 63 bytes, which another sync's may share. One
		// whose name that is exactly is rebuilt in this refresh too
		// (cutNames) and keeps it; else the cut view goes.
		if cut := view[:maxName]; taken[cut] == "" || taken[cut] == syncID {
			if _, err := tx.Exec(ctx, "DROP VIEW IF EXISTS "+w.table(cut)); err != nil {
				return err
			}
		}
		view = ""
	}
	if view == "" {
		for n := 1; ; n++ {
			view = dialects.ViewNameWithin(syncID, n, maxName)
			if taken[view] == "" || taken[view] == syncID {
				break
			}
		}
		taken[view] = syncID
	}
	base := dialects.Names(dialects.RecordsColumns)
	cols := warehouse.TypedColumns(w.log, syncID, existing, fields, base)
	pc := w.table("payload_columns")
	if _, err := tx.Exec(ctx, `DELETE FROM `+pc+` WHERE sync_configuration_id = $1`, syncID); err != nil {
		return err
	}
	var fs, cs, ts []string
	for _, c := range cols {
		fs, cs, ts = append(fs, safeText(c.Field)), append(cs, c.Column), append(ts, c.Type)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+pc+` SELECT $1, $2, f, c, t FROM unnest($3::text[], $4::text[], $5::text[]) AS x(f, c, t)`,
		syncID, view, fs, cs, ts); err != nil {
		return err
	}
	return w.replaceView(ctx, tx, view, w.d.TypedView(w.schema, syncID, base, cols))
}

// syncFields is the union of a sync's payload schemas.
func (w *Warehouse) syncFields(ctx context.Context, tx pgx.Tx, syncID string) (map[string]string, error) {
	rows, err := tx.Query(ctx, `SELECT payload_schema::text FROM `+w.table("sync_runs")+
		` WHERE sync_configuration_id = $1 ORDER BY started_at NULLS LAST, _file`, syncID)
	if err != nil {
		return nil, err
	}
	fields := map[string]string{}
	var raw *string
	_, err = pgx.ForEachRow(rows, []any{&raw}, func() error {
		var m map[string]string
		if raw == nil || json.Unmarshal([]byte(*raw), &m) != nil {
			return nil
		}
		for f, t := range m {
			t = dialects.NormalizeType(t)
			if old, ok := fields[f]; ok && old != t {
				t = "json"
			}
			fields[f] = t
		}
		return nil
	})
	return fields, err
}

func (w *Warehouse) payloadColumns(ctx context.Context, tx pgx.Tx, syncID string) ([]dialects.PayloadColumn, string, error) {
	rows, err := tx.Query(ctx, `SELECT view_name, field_name, column_name, column_type FROM `+
		w.table("payload_columns")+` WHERE sync_configuration_id = $1 ORDER BY column_name`, syncID)
	if err != nil {
		return nil, "", err
	}
	var out []dialects.PayloadColumn
	var view string
	var c dialects.PayloadColumn
	_, err = pgx.ForEachRow(rows, []any{&view, &c.Field, &c.Column, &c.Type}, func() error {
		out = append(out, c)
		return nil
	})
	return out, view, err
}
