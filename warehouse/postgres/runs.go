package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// runColumns are the sync_runs columns a metadata.json fills; state and
// completed_at take their defaults (open).
var runColumns = dialects.Names(dialects.RunsColumns)

// LoadRuns replaces the sync_runs row of each metadata.json and writes its
// ledger row, all in one transaction. The escapes jsonb refuses (\u0000, a
// lone surrogate: encoding/json takes both) are replaced; a run whose row
// PostgreSQL still refuses is a data error naming it, from the COPY line it
// stopped at, so it fails alone.
func (w *Warehouse) LoadRuns(ctx context.Context, runs []warehouse.Run) error {
	if len(runs) == 0 {
		return nil
	}
	if err := w.lockLoads(ctx); err != nil {
		return err
	}
	now := w.now().UTC()
	rows := make([][]any, len(runs))
	keys := make([]string, len(runs))
	es := make([]warehouse.LedgerEntry, len(runs))
	for i, r := range runs {
		m := r.Meta
		schema, err := json.Marshal(m.PayloadSchema)
		if err != nil {
			return warehouse.DataError(fmt.Errorf("%s: payload schema: %w", r.Key, err), r.Key)
		}
		var started any
		if m.StartedAt != nil {
			started = m.StartedAt.UTC()
		}
		// jsonb refuses \u0000 and lone surrogate escapes, which
		// encoding/json takes (and writes, for a NUL in a field's name):
		// they become \ufffd, as in a payload, and the ledger says so.
		schema, fixedSchema := fixEscapes(schema)
		raw, fixedRaw := fixEscapes(m.Raw)
		note := ""
		if fixedSchema || fixedRaw {
			note = "replaced \\u0000 or lone surrogate escapes by \\ufffd (jsonb cannot hold them)"
		}
		rows[i] = []any{safeText(m.OrgID), nullText(m.WorkspaceID), safeText(m.SyncConfigurationID), safeText(m.SyncRunID),
			nullText(m.SourceType), nullText(m.SourceObjectID), nullText(m.DestinationType),
			nullText(m.DestinationID), nullText(m.DestinationObjectID), started,
			string(schema), string(raw), r.Key, now}
		keys[i] = r.Key
		es[i] = warehouse.LoadedEntry(r.Object, 1, r.Attempts, note, now)
	}
	return w.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM `+w.table("sync_runs")+` WHERE _file = ANY($1)`, keys); err != nil {
			return fmt.Errorf("delete old runs: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{w.schema, "sync_runs"}, runColumns, pgx.CopyFromRows(rows)); err != nil {
			return blameLine(err, keys)
		}
		return w.upsertLedger(ctx, tx, es)
	})
}

// blameLine pins a data error of a COPY of one row per key on the key of
// the line it stopped at.
func blameLine(err error, keys []string) error {
	err = classify(err)
	var e *warehouse.Error
	var pe *pgconn.PgError
	if errors.As(err, &e) && e.Class == warehouse.Data && errors.As(err, &pe) {
		if m := copyLine.FindStringSubmatch(pe.Where); m != nil {
			var n int
			fmt.Sscan(m[1], &n)
			if n >= 1 && n <= len(keys) {
				e.Keys = []string{keys[n-1]}
			}
		}
	}
	return err
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return safeText(s)
}
