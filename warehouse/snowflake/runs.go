package snowflake

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/synctrack/synctrack/warehouse"
)

// runsChunkBytes bounds the metadata text in one INSERT, well under the size
// Snowflake accepts for a statement.
const runsChunkBytes = 512 << 10

// LoadRuns replaces the sync_runs row of each metadata.json and writes its
// ledger row, in one transaction. The loader has parsed the files already;
// their text goes in as literals, JSON parsed by Snowflake.
func (w *Warehouse) LoadRuns(ctx context.Context, runs []warehouse.Run) error {
	if len(runs) == 0 {
		return nil
	}
	now := w.now().UTC()
	var chunks [][][]any
	var cur [][]any
	size := 0
	keys := make([]string, len(runs))
	es := make([]warehouse.LedgerEntry, len(runs))
	for i, r := range runs {
		m := r.Meta
		schema, err := json.Marshal(m.PayloadSchema)
		if err != nil {
			return fmt.Errorf("%s: payload schema: %w", r.Key, err)
		}
		row := []any{m.OrgID, opt(m.WorkspaceID), m.SyncConfigurationID, m.SyncRunID,
			opt(m.SourceType), opt(m.SourceObjectID), opt(m.DestinationType),
			opt(m.DestinationID), opt(m.DestinationObjectID), m.StartedAt,
			string(schema), string(m.Raw), r.Key, now}
		if len(cur) > 0 && size+len(m.Raw) > runsChunkBytes {
			chunks, cur, size = append(chunks, cur), nil, 0
		}
		cur = append(cur, row)
		size += len(m.Raw) + len(schema)
		keys[i] = r.Key
		es[i] = warehouse.LoadedEntry(r.Object, 1, r.Attempts, "", now)
	}
	chunks = append(chunks, cur)
	err := w.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range splitKeys(keys) {
			if err := w.exec(ctx, tx, w.d.DeleteFiles(w.schema, "sync_runs", c)); err != nil {
				return err
			}
		}
		for _, c := range chunks {
			if err := w.exec(ctx, tx, w.d.InsertRuns(w.schema, c)); err != nil {
				return err
			}
		}
		return w.writeLedger(ctx, tx, es)
	})
	if err == nil {
		w.noteSeen(es)
	}
	return err
}

func splitKeys(keys []string) [][]string { return chunks(keys) }

// opt is NULL for an empty string.
func opt(s string) any {
	if s == "" {
		return nil
	}
	return s
}
