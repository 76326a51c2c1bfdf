package bigquery

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/synctrack/synctrack/warehouse"
)

// LoadRuns replaces the sync_runs row of each metadata.json and writes its
// ledger row: one script, one transaction.
func (w *Warehouse) LoadRuns(ctx context.Context, runs []warehouse.Run) error {
	if len(runs) == 0 {
		return nil
	}
	now := w.now().UTC()
	ps := make([][]any, len(runs))
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
		ps[i] = []any{m.OrgID, orNil(m.WorkspaceID), m.SyncConfigurationID, m.SyncRunID, orNil(m.SourceType),
			orNil(m.SourceObjectID), orNil(m.DestinationType), orNil(m.DestinationID), orNil(m.DestinationObjectID),
			started, string(schema), string(m.Raw), r.Key}
		es[i] = warehouse.LoadedEntry(r.Object, 1, r.Attempts, "", now)
	}
	in, drop, err := w.stage(ctx, arrays{runs: ps, ledger: w.ledgerRows(es)})
	if err != nil {
		return wrap("load runs", err)
	}
	defer drop()
	in.LoadedAt = w.d.Value(now)
	decl := w.d.Declare(&in)
	script, err := join(decl, nil, w.d.Transaction(w.d.ReplaceRuns(w.c.Dataset, in)...), nil)
	if err == nil {
		err = w.query(ctx, script)
	}
	return wrap("load runs", err)
}
