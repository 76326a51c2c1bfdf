package snowflake

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// LoadRecords replaces the rows of files in one transaction: DELETE their old
// rows, COPY INTO from the stage (at most 1,000 files a statement), complete
// the new rows from their paths, write their ledger rows, COMMIT. Files the
// ledger has seen before (changed objects, retries) are copied with FORCE,
// so COPY's own load history cannot skip them. In external mode it registers
// the files' run folders instead (registerRecords).
func (w *Warehouse) LoadRecords(ctx context.Context, files []warehouse.File) (warehouse.Loaded, error) {
	n, err := w.loadRecords(ctx, files)
	return warehouse.Loaded{Rows: n}, err
}

func (w *Warehouse) loadRecords(ctx context.Context, files []warehouse.File) (int64, error) {
	if len(files) == 0 {
		return 0, nil
	}
	if w.external {
		return 0, w.registerRecords(ctx, files)
	}
	var keys, fresh, forced []string
	for _, f := range files {
		keys = append(keys, f.Key)
		switch {
		case f.Size == 0: // an empty object holds no rows and no parquet footer
		case w.reloads(f):
			forced = append(forced, f.Key)
		default:
			fresh = append(fresh, f.Key)
		}
	}
	now := w.now().UTC()
	var es []warehouse.LedgerEntry
	var total int64
	err := w.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range chunks(keys) {
			if err := w.exec(ctx, tx, w.d.DeleteFiles(w.schema, "sync_records", c)); err != nil {
				return err
			}
		}
		loaded, err := w.copyAll(ctx, tx, "sync_records", dialects.RecordsMetadata, fresh, forced)
		if err != nil {
			return err
		}
		for _, c := range chunks(append(append([]string(nil), fresh...), forced...)) {
			if err := w.exec(ctx, tx, w.d.FinishRecords(w.schema, c)); err != nil {
				return err
			}
		}
		es, total = make([]warehouse.LedgerEntry, len(files)), 0
		for i, f := range files {
			es[i] = warehouse.LoadedEntry(f.Object, loaded[f.Key], f.Attempts, f.Note, now)
			total += loaded[f.Key]
		}
		return w.writeLedger(ctx, tx, es)
	})
	if err != nil {
		return 0, err
	}
	w.noteSeen(es)
	return total, nil
}

// reloads says whether COPY must be forced for f: the ledger has a row for its
// key (a changed object, or a version whose earlier load failed or was
// replaced), so COPY's load history may wrongly call it loaded.
func (w *Warehouse) reloads(f warehouse.File) bool { return f.Attempts > 1 || w.seen[f.Key] }

// copyAll copies fresh files, then forced ones, into table and returns the
// rows loaded per key. A file COPY skipped as already loaded (its history
// outlives our rows: a table recreated, rows deleted by hand) is copied again
// with FORCE in the same transaction, so none is silently left out.
func (w *Warehouse) copyAll(ctx context.Context, tx querier, table string, meta [][2]string, fresh, forced []string) (map[string]int64, error) {
	loaded := map[string]int64{}
	for _, c := range chunks(fresh) {
		if err := w.copyChunk(ctx, tx, table, meta, c, false, loaded); err != nil {
			return nil, err
		}
	}
	var skipped []string
	for _, k := range fresh {
		if _, ok := loaded[k]; !ok {
			skipped = append(skipped, k)
		}
	}
	for _, c := range chunks(append(skipped, forced...)) {
		if err := w.copyChunk(ctx, tx, table, meta, c, true, loaded); err != nil {
			return nil, err
		}
	}
	return loaded, nil
}

// copyChunk runs one COPY INTO and reads its per-file result rows (COPY is not
// DML to the driver, so its rows come through Query, as from the service).
func (w *Warehouse) copyChunk(ctx context.Context, tx querier, table string, meta [][2]string, keys []string, force bool, loaded map[string]int64) error {
	stmt := w.d.CopyInto(dialects.Copy{Schema: w.schema, Table: table, Stage: w.c.Stage, Keys: keys, Metadata: meta, Force: force})
	w.log.Debug("statement", "sql", firstLine(stmt), "files", len(keys), "force", force)
	rows, err := tx.QueryContext(ctx, stmt)
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
			continue // "Copy executed with 0 files processed."
		}
		switch strings.ToUpper(r["status"]) {
		case "LOADED", "PARTIALLY_LOADED":
		default:
			return warehouse.DataError(&Error{msg: fmt.Sprintf("%s: %s: %s", key, r["status"], r["first_error"]),
				Statement: firstLine(stmt)}, key)
		}
		n, _ := strconv.ParseInt(r["rows_loaded"], 10, 64)
		loaded[key] += n
	}
	return nil
}

// suffixIndex matches COPY's file column, which is the object's full URL
// (s3://bucket/key) or its path in the stage, back to a key.
func suffixIndex(keys []string) func(string) (string, bool) {
	set := make(map[string]bool, len(keys))
	for _, k := range keys {
		set[k] = true
	}
	return func(file string) (string, bool) {
		if set[file] {
			return file, true
		}
		for i := 0; i < len(file); i++ {
			if file[i] == '/' && set[file[i+1:]] {
				return file[i+1:], true
			}
		}
		return "", false
	}
}

// readTable reads every row as column name (lower-case) -> text.
func readTable(rows *sql.Rows) ([]map[string]string, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		m := make(map[string]string, len(cols))
		for i, c := range cols {
			m[strings.ToLower(c)] = vals[i].String
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// registerRecords refreshes the external table for each run folder of files
// (ALTER EXTERNAL TABLE ... REFRESH is DDL, so it runs before, not inside, the
// ledger's transaction; a crash between them refreshes again next load, which
// changes nothing), then writes the files' ledger rows.
func (w *Warehouse) registerRecords(ctx context.Context, files []warehouse.File) error {
	folders := map[string]bool{}
	for _, f := range files {
		folders[f.OrgID+"/"+f.SyncID+"/"+f.RunID+"/"] = true
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
			return w.classify(err, stmt)
		}
		if _, err := readTable(rows); err != nil {
			return w.classify(err, stmt)
		}
	}
	now := w.now().UTC()
	es := make([]warehouse.LedgerEntry, len(files))
	for i, f := range files {
		es[i] = warehouse.LoadedEntry(f.Object, 0, f.Attempts, f.Note, now)
	}
	if err := w.inTx(ctx, func(tx *sql.Tx) error { return w.writeLedger(ctx, tx, es) }); err != nil {
		return err
	}
	w.noteSeen(es)
	return nil
}

// chunks splits keys into runs of at most dialects.MaxCopyFiles.
func chunks(keys []string) [][]string {
	var out [][]string
	for start := 0; start < len(keys); start += dialects.MaxCopyFiles {
		out = append(out, keys[start:min(start+dialects.MaxCopyFiles, len(keys))])
	}
	return out
}
