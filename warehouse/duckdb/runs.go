package duckdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// LoadRuns replaces the sync_runs row of each metadata.json and writes its
// ledger row, all in one transaction.
func (w *Warehouse) LoadRuns(ctx context.Context, runs []warehouse.Run) error {
	if len(runs) == 0 {
		return nil
	}
	now := w.now().UTC()
	rows := make([][]any, len(runs))
	keys := make([][]any, len(runs))
	es := make([]warehouse.LedgerEntry, len(runs))
	for i, r := range runs {
		m := r.Meta
		schema, err := json.Marshal(m.PayloadSchema)
		if err != nil {
			return fmt.Errorf("%s: payload schema: %w", r.Key, err)
		}
		var started any
		if m.StartedAt != nil {
			started = m.StartedAt.UTC()
		}
		rows[i] = []any{m.OrgID, nullString(m.WorkspaceID), m.SyncConfigurationID, m.SyncRunID,
			nullString(m.SourceType), nullString(m.SourceObjectID), nullString(m.DestinationType),
			nullString(m.DestinationID), nullString(m.DestinationObjectID), started,
			string(schema), string(m.Raw), r.Key, now}
		keys[i] = []any{r.Key}
		es[i] = warehouse.LoadedEntry(r.Object, 1, r.Attempts, "", now)
	}
	return w.inConnTx(ctx, nil, func(conn *sql.Conn, tx *sql.Tx) error {
		if _, err := w.exec(ctx, tx, `CREATE OR REPLACE TEMP TABLE _st_keys (key VARCHAR)`); err != nil {
			return err
		}
		if err := w.insertValues(ctx, tx, "_st_keys", 1, keys); err != nil {
			return err
		}
		runsTable := w.table("sync_runs")
		if _, err := w.exec(ctx, tx, `DELETE FROM `+runsTable+` WHERE _file IN (SELECT key FROM _st_keys)`); err != nil {
			return fmt.Errorf("delete old runs: %w", err)
		}
		// Columns by name: the daemon adds state and completed_at (state.go), and
		// a new row starts with their defaults, open.
		cols := make([]string, len(dialects.RunsColumns))
		for i, c := range dialects.RunsColumns {
			cols[i] = w.d.Ident(c.Name)
		}
		into := runsTable + " (" + strings.Join(cols, ", ") + ")"
		if err := w.insertValues(ctx, tx, into, len(cols), rows); err != nil {
			return err
		}
		return w.upsertLedger(ctx, conn, tx, es)
	})
}
