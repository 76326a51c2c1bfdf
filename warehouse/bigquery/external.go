package bigquery

import (
	"context"
	"fmt"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
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

// externalLedger is LoadRecords in external mode: the external table already
// reads every file, so only ledger rows are written, their row counts taken
// by BigQuery from that table (one script, which also returns their total).
// A file the count cannot read fails the script, naming it: it is returned
// in Loaded.Failed, never given a loaded ledger row, and the others' rows
// are counted again without it (retry).
func (w *Warehouse) externalLedger(ctx context.Context, files []warehouse.File, now time.Time) (warehouse.Loaded, error) {
	if err := w.setUpExternal(ctx); err != nil {
		return warehouse.Loaded{}, err
	}
	prefix, err := w.externalPrefix()
	if err != nil {
		return warehouse.Loaded{}, err
	}
	res, err := w.retry(ctx, map[int]error{}, files, func(live []int) (int64, map[int]error, error) {
		objs := make([]warehouse.Object, len(live))
		es := make([]warehouse.LedgerEntry, len(live))
		for j, i := range live {
			f := files[i]
			objs[j] = f.Object
			es[j] = warehouse.LoadedEntry(f.Object, 0, f.Attempts, f.Note, now) // rows: counted by the script
		}
		in, drop, err := w.stage(ctx, arrays{files: w.filesRows(objs, prefix), ledger: w.ledgerRows(es)})
		if err != nil {
			return 0, nil, err
		}
		defer drop()
		in.LoadedAt = w.d.Value(now)
		decl := w.d.Declare(&in)
		uris, set := w.d.CountRows(in, []string{w.table(dialects.ExternalRecordsTable)})
		// The counts come from the view over the external table, which
		// has no load time: they get the batch's.
		tx := append(w.d.DeleteCounts(w.c.Dataset, in),
			analysis.CountsInserts(w.d, w.c.Dataset, w.d.BatchFiles(in), in.LoadedAt)...)
		tx = append(tx, w.d.WriteLedger(w.c.Dataset, in.Ledger)...)
		script, err := join(append(decl, uris), set, w.d.Transaction(tx...),
			[]string{w.d.SumRows(in.Ledger)})
		if err != nil {
			return 0, nil, err
		}
		rows, err := w.script(ctx, script)
		return rows, nil, err
	})
	return res, wrap("write ledger", err)
}
