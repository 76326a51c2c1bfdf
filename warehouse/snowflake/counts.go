package snowflake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// writeCounts writes the per-run counts of the files keys (their rows
// inserted, or in external mode registered, in tx) from sync_records, one
// INSERT per counts table per chunk of keys. loadedAt is the SQL of their
// _loaded_at, "" for the rows' own.
func (w *Warehouse) writeCounts(ctx context.Context, tx *sql.Tx, keys []string, loadedAt string) error {
	for _, c := range chunks(keys) {
		for _, s := range analysis.CountsInserts(w.d, w.schema, "r."+w.d.In("_file", c), loadedAt) {
			if err := w.exec(ctx, tx, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// countsNotBlamed keeps a failed counts fill from being blamed on the
// batch's files: it is about the schema, so an error Snowflake words as
// data (or that no rule knows) becomes a config error that stops the load;
// a transient or resource one stays what it is.
func countsNotBlamed(err error) error {
	if c := warehouse.ClassOf(err); c != warehouse.Data && c != warehouse.Unclassified {
		return err
	}
	return &warehouse.Error{Class: warehouse.Config, Reason: "counts_backfill", Err: fmt.Errorf("fill the per-run counts: %w", err),
		Hint: "the per-run counts of files loaded before them could not be filled; nothing was blamed on any file: check the schema's tables, then load again"}
}

// ensureCounts gives a schema set up before the counts tables those tables
// (CREATE TABLE IF NOT EXISTS, DDL, outside any transaction) and fills them
// from the files the ledger says are loaded, once per process, before the
// first load. Empty counts with records files loaded can only mean a schema
// older than them, since every load writes a file's counts with its rows
// and ledger row; the fill is one transaction, so a failure leaves them
// empty and the next load fills them.
func (w *Warehouse) ensureCounts(ctx context.Context) error {
	if w.countsReady || w.readOnly {
		return nil
	}
	for _, t := range dialects.CountsTables() {
		if err := w.exec(ctx, w.db, w.d.CreateTable(w.schema, t.Name, t.Columns, false)); err != nil {
			return err
		}
	}
	loaded := dialects.LoadedRecordKeys(w.d, w.schema)
	check := loaded + " AND NOT EXISTS (SELECT 1 FROM " + w.d.Table(w.schema, dialects.OutcomeCountsTable) + ") LIMIT 1"
	w.log.Debug("query", "sql", check)
	var key string
	err := w.db.QueryRowContext(ctx, check).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		w.countsReady = true
		return nil
	}
	if err != nil {
		return w.classify(err, check)
	}
	loadedAt := ""
	if w.external {
		loadedAt = "CURRENT_TIMESTAMP()"
	}
	err = w.inTx(ctx, func(tx *sql.Tx) error {
		for _, s := range analysis.CountsRefill(w.d, w.schema, "r."+w.d.Ident("_file")+" IN ("+loaded+")", loadedAt) {
			if err := w.exec(ctx, tx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.log.Info("backfilled run counts from sync_records", "schema", w.schema)
	w.countsReady = true
	return nil
}
