package bigquery

import (
	"context"
	"fmt"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/warehouse"
)

var _ warehouse.ExternalTables = (*Warehouse)(nil)

// UseExternalTables switches to external mode after Open (synctrack load
// --mode external), as mode=external in the URL does at Open: the next
// LoadRecords first puts the external table and the sync_records view in
// place, then each load writes only ledger rows.
func (w *Warehouse) UseExternalTables() {
	if w.c.Mode != "external" {
		w.c.Mode, w.pendingExternal = "external", true
	}
}

// setUpExternal runs external mode's DDL once. Open made sync_records a table
// (loaded mode); an empty one is replaced by the view, one holding rows is
// kept and the load refused: its rows would be lost.
func (w *Warehouse) setUpExternal(ctx context.Context) error {
	if !w.pendingExternal {
		return nil
	}
	prefix, err := w.externalPrefix()
	if err != nil {
		return err
	}
	t := w.ds.Table("sync_records")
	md, err := t.Metadata(ctx)
	switch {
	case err == nil && md.Type == bigquery.RegularTable && (md.NumRows > 0 || md.StreamingBuffer != nil):
		return fmt.Errorf("external mode: %s.sync_records already holds %d loaded rows; use another dataset for external mode, or keep loading with --mode loaded", w.c.Dataset, md.NumRows)
	case err == nil && md.Type == bigquery.RegularTable:
		if err := t.Delete(ctx); err != nil {
			return classify(fmt.Errorf("external mode: replace the empty sync_records table by a view: %w", err))
		}
	case err != nil && !isNotFound(err):
		return classify(fmt.Errorf("table sync_records: %w", err))
	}
	ddl := w.d.ExternalRecords(w.c.Dataset, prefix, w.c.Connection)
	if err := w.query(ctx, ddl[0]); err != nil {
		return fmt.Errorf("external table over %s: %w", prefix, err)
	}
	if err := w.putView(ctx, "sync_records", ddl[1]); err != nil {
		return err
	}
	w.pendingExternal = false
	return nil
}
