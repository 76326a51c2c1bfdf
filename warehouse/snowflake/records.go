package snowflake

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// LoadRecords replaces the rows of files in one transaction: DELETE their old
// rows, COPY INTO from the stage (at most 1,000 files a statement), complete
// the new rows from their paths, write their ledger rows, COMMIT. In external
// mode it registers the files' run folders instead (registerRecords).
//
// COPY runs with ON_ERROR = SKIP_FILE, so one unreadable file costs no extra
// statement: COPY loads the rest and names it LOAD_FAILED in its result, and
// it comes back in Loaded.Failed with no rows and no ledger row. "SKIP_FILE:
// Skip a file when an error is found" (COPY INTO <table>, copy options,
// https://docs.snowflake.com/en/sql-reference/sql/copy-into-table); COPY is
// a load into the table like any DML, so it commits or rolls back with the
// batch's explicit transaction (only DDL commits one: "DDL statements
// implicitly commit active transactions",
// https://docs.snowflake.com/en/sql-reference/transactions). The same page
// says SKIP_FILE "buffers an entire file whether errors are found or not"
// and is slower than ABORT_STATEMENT: a price paid per byte, against a
// failed COPY per halving step per bad file.
//
// A skipped file whose key has a loaded older version lost that version's
// rows to the DELETE; then the transaction rolls back and runs again without
// it, so the older version keeps its rows and its ledger row, as on DuckDB.
// Files the ledger has seen before (changed objects, retries) are copied
// with FORCE, so COPY's own load history cannot skip them.
func (w *Warehouse) LoadRecords(ctx context.Context, files []warehouse.File) (warehouse.Loaded, error) {
	var out warehouse.Loaded
	if len(files) == 0 {
		return out, nil
	}
	if err := w.ensureCounts(ctx); err != nil {
		return out, countsNotBlamed(err)
	}
	if w.external {
		return w.registerRecords(ctx, files)
	}
	for len(files) > 0 {
		n, failed, err := w.loadBatch(ctx, files)
		out.Failed = append(out.Failed, failed...)
		if !errors.Is(err, errAgain) {
			out.Rows = n
			return out, err
		}
		files = without(files, failed)
	}
	return out, nil
}

// ReplacesBadText says that a records COPY refuses strings that are not
// UTF-8 (the file comes back failed, of warehouse.ReasonBadText) unless the
// file is marked File.ReplaceBadText, when COPY replaces their bad bytes
// with U+FFFD (dialects.StrictFormat, ParquetFormat).
func (*Warehouse) ReplacesBadText() {}

// errAgain rolls a batch back to run it again without its failed files.
var errAgain = errors.New("a skipped file lost its older version's rows: run the batch again without it")

// loadBatch runs one batch's transaction. It returns the rows loaded and the
// files COPY skipped; errAgain means it rolled back because of them.
func (w *Warehouse) loadBatch(ctx context.Context, files []warehouse.File) (int64, []warehouse.FileError, error) {
	var keys []string
	var fresh, forced [2][]string // [0]: strict about UTF-8, [1]: replacing bad text
	for _, f := range files {
		keys = append(keys, f.Key)
		r := 0
		if f.ReplaceBadText {
			r = 1
		}
		switch {
		case f.Size == 0: // an empty object holds no rows and no parquet footer
		case w.reloads(f):
			forced[r] = append(forced[r], f.Key)
		default:
			fresh[r] = append(fresh[r], f.Key)
		}
	}
	now := w.now().UTC()
	var es []warehouse.LedgerEntry
	var failed []warehouse.FileError
	var total int64
	err := w.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range chunks(keys) {
			for _, t := range []string{"sync_records", dialects.OutcomeCountsTable, dialects.FingerprintCountsTable} {
				if err := w.exec(ctx, tx, w.d.DeleteFiles(w.schema, t, c)); err != nil {
					return err
				}
			}
		}
		c, err := w.copyAll(ctx, tx, "sync_records", dialects.RecordsMetadata, fresh[0], forced[0], true, true)
		if err != nil {
			return err
		}
		if len(fresh[1])+len(forced[1]) > 0 {
			r, err := w.copyAll(ctx, tx, "sync_records", dialects.RecordsMetadata, fresh[1], forced[1], true, false)
			if err != nil {
				return err
			}
			c.add(r)
		}
		if err := w.stillInTx(ctx, tx); err != nil {
			return err
		}
		again := len(c.partial) > 0
		var copiedKeys []string
		for _, f := range files {
			if _, bad := c.failed[f.Key]; bad {
				again = again || w.hadRows(f)
			} else {
				copiedKeys = append(copiedKeys, f.Key)
			}
		}
		if !again {
			// A file COPY read but without the identifier column is a bad
			// file too; its rows are in the transaction, so run it again.
			if again, err = w.noIdentifier(ctx, tx, copiedKeys, c.failed); err != nil {
				return err
			}
		}
		var done []string
		es, failed, total = nil, nil, 0
		for _, f := range files {
			if bad, ok := c.failed[f.Key]; ok {
				failed = append(failed, warehouse.FileError{Key: f.Key, Err: bad})
				continue
			}
			done = append(done, f.Key)
			es = append(es, warehouse.LoadedEntry(f.Object, c.rows[f.Key], f.Attempts, f.Note, now))
			total += c.rows[f.Key]
		}
		if again {
			return errAgain
		}
		for _, ch := range chunks(done) {
			if err := w.exec(ctx, tx, w.d.FinishRecords(w.schema, ch)); err != nil {
				return err
			}
		}
		if err := w.writeCounts(ctx, tx, done, ""); err != nil {
			return err
		}
		return w.writeLedger(ctx, tx, es)
	})
	if err != nil {
		return 0, failed, err
	}
	w.noteSeen(es)
	return total, failed, nil
}

// noIdentifier finds the files among keys whose rows have no identifier at
// all (the file lacks the column) and adds them to failed as data errors. It
// reports whether it found any: their rows are in the transaction, which
// must then run again without them.
func (w *Warehouse) noIdentifier(ctx context.Context, tx *sql.Tx, keys []string, failed map[string]error) (bool, error) {
	found := false
	for _, c := range chunks(keys) {
		q := w.d.NoIdentifier(w.schema, c)
		w.log.Debug("query", "sql", q)
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return false, w.classify(err, q)
		}
		res, err := readTable(rows)
		if err != nil {
			return false, w.classify(err, q)
		}
		for _, r := range res {
			key := r["_file"]
			if _, already := failed[key]; already || !slices.Contains(c, key) {
				continue
			}
			failed[key] = warehouse.DataError(errors.New("records file has no identifier column (every row's identifier is NULL)"), key)
			found = true
		}
	}
	return found, nil
}

// reloads says whether COPY must be forced for f: the ledger has a row for its
// key (a changed object, or a version whose earlier load failed or was
// replaced), so COPY's load history may wrongly call it loaded. The plan
// says so (Seen) since the ledger is read by prefix, not whole.
func (w *Warehouse) reloads(f warehouse.File) bool { return f.Attempts > 1 || f.Seen || w.seen[f.Key] }

// hadRows says whether sync_records may hold rows of an older version of f:
// the ledger has a loaded row for its key. Before any Ledger read, any row
// of the key counts.
func (w *Warehouse) hadRows(f warehouse.File) bool {
	if w.loaded == nil {
		return f.Seen || f.Attempts > 1
	}
	return w.loaded[f.Key]
}

// without returns files less those that failed.
func without(files []warehouse.File, failed []warehouse.FileError) []warehouse.File {
	bad := make(map[string]bool, len(failed))
	for _, fe := range failed {
		bad[fe.Key] = true
	}
	var out []warehouse.File
	for _, f := range files {
		if !bad[f.Key] {
			out = append(out, f)
		}
	}
	return out
}

// stillInTx checks that the batch's transaction is still open after its
// COPYs. A COPY into a table with ENABLE_SCHEMA_EVOLUTION may add columns,
// and the documentation does not say whether that DDL, inside an explicit
// transaction, commits it as other DDL does ("DDL statements implicitly
// commit active transactions", https://docs.snowflake.com/en/sql-reference/transactions;
// https://docs.snowflake.com/en/user-guide/data-load-schema-evolution is
// silent). If it did, the batch's DELETE and COPY are already committed and
// nothing after them is atomic any more, so the batch stops here, with no
// ledger row: the next load reads the files again (the new columns exist
// by then, so nothing evolves), deletes what this one left and copies them
// once more.
func (w *Warehouse) stillInTx(ctx context.Context, tx *sql.Tx) error {
	q := w.d.CurrentTransaction()
	var id sql.NullString
	if err := tx.QueryRowContext(ctx, q).Scan(&id); err != nil {
		return w.classify(err, q)
	}
	if id.Valid {
		return nil
	}
	return &warehouse.Error{Class: warehouse.Transient, Reason: "implicit_commit",
		Hint: "Snowflake committed the batch's transaction during COPY (schema evolution adding a column, most likely); the next load reads these files again",
		Err:  errors.New("snowflake: the batch's transaction was committed before its ledger rows were written")}
}
