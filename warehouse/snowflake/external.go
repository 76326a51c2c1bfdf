package snowflake

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// registerRecords refreshes the external table for each run folder of files,
// checks that Snowflake can read each file, then writes the ledger rows of
// those it can: loaded, with no row count (nothing is copied). The others
// come back in Loaded.Failed, with no ledger row (the loader records them).
//
// REFRESH only updates the table's metadata from the listing ("New files in
// the path are added to the table metadata",
// https://docs.snowflake.com/en/sql-reference/sql/alter-external-table), and
// a query of the table cannot tell a bad file either: "If Snowflake
// encounters an error while scanning a file in cloud storage during a query
// operation, the file is skipped and scanning continues on the next file"
// (https://docs.snowflake.com/en/user-guide/tables-external), so a count per
// METADATA$FILENAME would call an unreadable file short, not failed. So each
// batch's files are read once by a COPY with VALIDATION_MODE =
// RETURN_ERRORS (ValidateFiles), which loads nothing and names each file in
// error. That scan costs warehouse time per byte, the price of a ledger
// that never calls an unreadable file loaded.
//
// REFRESH and the check are not DML, so they run before, not inside, the
// ledger's transaction; a crash between them refreshes and checks again next
// load, which changes nothing.
func (w *Warehouse) registerRecords(ctx context.Context, files []warehouse.File) (warehouse.Loaded, error) {
	var out warehouse.Loaded
	folders := map[string]bool{}
	var keys []string
	for _, f := range files {
		folders[f.OrgID+"/"+f.SyncID+"/"+f.RunID+"/"] = true
		if f.Size > 0 {
			keys = append(keys, f.Key)
		}
	}
	list := make([]string, 0, len(folders))
	for f := range folders {
		list = append(list, f)
	}
	sort.Strings(list)
	for _, f := range list {
		stmt := w.d.RefreshExternal(w.schema, f)
		rows, err := w.db.QueryContext(ctx, stmt)
		if err != nil {
			return out, w.classify(err, stmt)
		}
		if _, err := readTable(rows); err != nil {
			return out, w.classify(err, stmt)
		}
	}
	bad := map[string]error{}
	for _, c := range chunks(keys) {
		if err := w.validate(ctx, c, bad); err != nil {
			return out, err
		}
	}
	now := w.now().UTC()
	var es []warehouse.LedgerEntry
	for _, f := range files {
		if err, ok := bad[f.Key]; ok {
			out.Failed = append(out.Failed, warehouse.FileError{Key: f.Key, Err: err})
			continue
		}
		es = append(es, warehouse.LoadedEntry(f.Object, 0, f.Attempts, f.Note, now))
	}
	if len(es) == 0 {
		return out, nil
	}
	// The counts come from the view over the external table, which has no
	// load time: they get the batch's.
	done := make([]string, len(es))
	for i, e := range es {
		done[i] = e.Key
	}
	err := w.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range chunks(done) {
			for _, t := range []string{dialects.OutcomeCountsTable, dialects.FingerprintCountsTable} {
				if err := w.exec(ctx, tx, w.d.DeleteFiles(w.schema, t, c)); err != nil {
					return err
				}
			}
		}
		if err := w.writeCounts(ctx, tx, done, w.d.Timestamp(now)); err != nil {
			return err
		}
		return w.writeLedger(ctx, tx, es)
	})
	if err != nil {
		return out, err
	}
	w.noteSeen(es)
	return out, nil
}

// validate reads keys with ValidateFiles and adds to bad a data error for
// each file it reports, with its first error. A schema set up before the
// check table existed gets it (DDL, outside any transaction) and runs again.
func (w *Warehouse) validate(ctx context.Context, keys []string, bad map[string]error) error {
	stmt := w.d.ValidateFiles(w.schema, w.c.Stage, keys)
	w.log.Debug("statement", "sql", firstLine(stmt), "files", len(keys))
	rows, err := w.db.QueryContext(ctx, stmt)
	if err != nil && isMissing(w.classify(err, stmt)) {
		if err := w.exec(ctx, w.db, w.d.CreateCheckTable(w.schema)); err != nil {
			return err
		}
		rows, err = w.db.QueryContext(ctx, stmt)
	}
	if err != nil {
		return w.classify(err, stmt)
	}
	res, err := readTable(rows)
	if err != nil {
		return w.classify(err, stmt)
	}
	byName := suffixIndex(keys)
	for _, r := range res {
		key, ok := byName(r["file"])
		if !ok {
			continue
		}
		if _, seen := bad[key]; !seen {
			bad[key] = warehouse.DataError(&Error{Statement: firstLine(stmt),
				msg: fmt.Sprintf("Snowflake cannot read the file (validation): %s", r["error"])}, key)
		}
	}
	return nil
}
