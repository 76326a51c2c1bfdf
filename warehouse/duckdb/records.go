package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// knownRecordColumns are the vendor's documented columns; anything else a file
// holds goes to _extra as JSON, so a new column never fails a load.
var knownRecordColumns = warehouse.RecordFileColumns

// pathColumn is the name read_parquet gives the file path; chosen not to
// collide with a vendor column.
const pathColumn = "_st_path"

// LoadRecords replaces the rows of files and writes their ledger rows in one
// transaction: one DELETE, one INSERT ... SELECT over read_parquet of all files.
func (w *Warehouse) LoadRecords(ctx context.Context, files []warehouse.File) (warehouse.Loaded, error) {
	n, err := w.loadRecords(ctx, files)
	return warehouse.Loaded{Rows: n}, err
}

func (w *Warehouse) loadRecords(ctx context.Context, files []warehouse.File) (int64, error) {
	if len(files) == 0 {
		return 0, nil
	}
	now := w.now().UTC()
	var rows int64
	for _, f := range files {
		rows += f.Rows
	}
	// Before the batch, not after: the last batch of a load (or of a
	// daemon's cycle, which closes the file) would evict for nothing.
	w.releaseBlocks(ctx)
	return rows, w.inConnTx(ctx, files, func(conn *sql.Conn, tx *sql.Tx) error {
		if err := w.fillBatch(ctx, conn, tx, files); err != nil {
			return err
		}
		recs := w.table("sync_records")
		// The DELETE scans _file over the whole table: skip it when no file of
		// the batch can have rows yet.
		if anySeen(files) {
			for _, t := range []string{recs, w.table(dialects.OutcomeCountsTable), w.table(dialects.FingerprintCountsTable)} {
				if _, err := w.exec(ctx, tx, `DELETE FROM `+t+` WHERE _file IN (SELECT key FROM _st_batch)`); err != nil {
					return fmt.Errorf("delete old rows: %w", err)
				}
			}
		}
		if qs := w.insertRecordsSQLs(files); len(qs) > 0 {
			read := statFiles(files)
			err := func() error {
				w.prep.pause()
				defer w.prep.resume() // a panic must not leave it paused
				for _, q := range qs {
					if _, err := w.exec(ctx, tx, q.sql, now); err != nil {
						return among(classify(err, files), q.keys)
					}
				}
				return nil
			}()
			if err != nil {
				return fmt.Errorf("insert rows: %w", err)
			}
			afterRecordsInsert(files)
			// The counts, grouped in Go from the same files (tally.go),
			// unless one changed since the INSERT began to read it.
			if err := w.countBatch(ctx, conn, tx, files, read, now); err != nil {
				return fmt.Errorf("count rows: %w", err)
			}
		}
		es := make([]warehouse.LedgerEntry, len(files))
		for i, f := range files {
			es[i] = warehouse.LoadedEntry(f.Object, f.Rows, f.Attempts, f.Note, now)
		}
		return w.upsertLedger(ctx, conn, tx, es)
	})
}

// fillBatch puts the batch's files into the temp table _st_batch, which maps each
// local path to its key and the ids its path carries.
func (w *Warehouse) fillBatch(ctx context.Context, conn *sql.Conn, tx *sql.Tx, files []warehouse.File) error {
	defs := make([]string, len(batchColumns))
	for i, c := range batchColumns {
		defs[i] = c.Name + " " + c.Type
	}
	if _, err := w.exec(ctx, tx, `CREATE OR REPLACE TEMP TABLE _st_batch (`+strings.Join(defs, ", ")+`)`); err != nil {
		return fmt.Errorf("batch table: %w", err)
	}
	rows := make([][]any, len(files))
	for i, f := range files {
		var n any
		if f.BatchNumber != nil {
			n = *f.BatchNumber
		}
		rows[i] = []any{f.Local, f.Key, f.OrgID, nullString(f.SyncID), nullString(f.RunID),
			nullString(f.BatchType), n, f.ModTime.UTC()}
	}
	return w.appendValues(ctx, conn, "_st_batch", dialects.Names(batchColumns), rows)
}

// batchColumns are _st_batch's columns, in the order fillBatch gives them.
var batchColumns = []dialects.Column{{Name: "path", Type: "VARCHAR"}, {Name: "key", Type: "VARCHAR"}, {Name: "org_id", Type: "VARCHAR"},
	{Name: "sync_id", Type: "VARCHAR"}, {Name: "run_id", Type: "VARCHAR"}, {Name: "batch_type", Type: "VARCHAR"}, {Name: "batch_number", Type: "BIGINT"},
	{Name: "mtime", Type: "TIMESTAMPTZ"}}

// insertRecordsSQLs renders the INSERTs of a batch: one for the files of
// each shape (warehouse.RecordsShape), the shapes of fewest files first;
// nearly always one. DuckDB reads the files of one statement as one table,
// each column of one type: a file whose identifier is a UUID beside files
// whose identifiers are text would have them all cast to UUID, and fail
// them in its stead.
func (w *Warehouse) insertRecordsSQLs(files []warehouse.File) []shapeInsert {
	var qs []shapeInsert
	for _, g := range byShape(files) {
		if q := w.insertRecordsSQL(g); q != "" {
			keys := make([]string, 0, len(g))
			for _, f := range g {
				if f.Local != "" {
					keys = append(keys, f.Key)
				}
			}
			qs = append(qs, shapeInsert{q, keys})
		}
	}
	// The fewest files first: an odd shape's few files (a batch start held
	// as text) are the ones a cast can fail, and failing before the batch's
	// main INSERT has read its rows saves reading them twice.
	slices.SortStableFunc(qs, func(a, b shapeInsert) int { return len(a.keys) - len(b.keys) })
	return qs
}

// shapeInsert is the INSERT of one shape's files, and their keys.
type shapeInsert struct {
	sql  string
	keys []string
}

// among says of a data error that names no file that the fault is among
// the files keys, the ones the failed statement read: a conversion error
// quotes a value, not its file, and a file of an odd shape (a batch start
// held as text) is read in a statement of its own, so the loader need not
// halve the whole batch to find it (warehouse.Error.Among).
func among(err error, keys []string) error {
	var e *warehouse.Error
	if errors.As(err, &e) && e.Class == warehouse.Data && len(e.Keys) == 0 {
		if len(keys) == 1 {
			e.Keys = keys
		} else {
			e.Among = keys
		}
	}
	return err
}

// byShape groups files by their Shape, in the order the shapes first come.
func byShape(files []warehouse.File) [][]warehouse.File {
	var order []string
	groups := map[string][]warehouse.File{}
	for _, f := range files {
		if _, ok := groups[f.Shape]; !ok {
			order = append(order, f.Shape)
		}
		groups[f.Shape] = append(groups[f.Shape], f)
	}
	out := make([][]warehouse.File, len(order))
	for i, s := range order {
		out[i] = groups[s]
	}
	return out
}

// insertRecordsSQL renders the INSERT for the files that have a local copy ("" if
// none do: empty objects load as zero rows). $1 is _loaded_at.
func (w *Warehouse) insertRecordsSQL(files []warehouse.File) string {
	d := w.d
	var paths []string
	has := map[string]bool{}
	var extra []string
	for _, f := range files {
		if f.Local == "" {
			continue
		}
		paths = append(paths, d.String(f.Local))
		for _, c := range f.Columns {
			lc := warehouse.ASCIILower(c)
			if has[lc] {
				continue
			}
			has[lc] = true
			if !knownRecordColumns[lc] && lc != pathColumn && lc != "file_row_number" {
				extra = append(extra, c)
			}
		}
	}
	if len(paths) == 0 {
		return ""
	}
	col := func(name, cast string) string {
		if !has[name] {
			return "CAST(NULL AS " + cast + ")"
		}
		return "CAST(r." + d.Ident(name) + " AS " + cast + ")"
	}
	orPath := func(name, pathExpr string) string {
		if !has[name] {
			return pathExpr
		}
		return "coalesce(" + col(name, "VARCHAR") + ", " + pathExpr + ")"
	}
	payload := col("record_payload", "VARCHAR")
	extraJSON := "CAST(NULL AS JSON)"
	if len(extra) > 0 {
		args := make([]string, 0, 2*len(extra))
		present := make([]string, 0, len(extra))
		for _, c := range extra {
			args = append(args, d.String(c), "r."+d.Ident(c))
			present = append(present, "r."+d.Ident(c)+" IS NOT NULL")
		}
		// Files of a batch that lack a column read it as NULL: keep no JSON for them.
		extraJSON = "CASE WHEN " + strings.Join(present, " OR ") + " THEN json_object(" + strings.Join(args, ", ") + ") END"
	}
	sel := []string{
		col("identifier", "VARCHAR"),
		"coalesce(TRY_CAST(" + payload + " AS JSON), to_json(" + payload + "))",
		col("operation", "VARCHAR"),
		col("status", "VARCHAR"),
		col("status_message", "VARCHAR"),
		col("batch_started_at", "TIMESTAMPTZ"),
		col("batch_ended_at", "TIMESTAMPTZ"),
		orPath("sync_configuration_id", "b.sync_id"),
		orPath("sync_run_id", "b.run_id"),
		orPath("org_id", "b.org_id"),
		"b.batch_type", "b.batch_number", "b.key", "r.file_row_number", extraJSON, "$1",
		d.IdentifierKey(col("identifier", "VARCHAR")),
	}
	return "INSERT INTO " + w.table("sync_records") + " SELECT\n  " + strings.Join(sel, ",\n  ") +
		"\nFROM read_parquet([" + strings.Join(paths, ", ") + "], union_by_name = true, filename = " +
		d.String(pathColumn) + ", file_row_number = true) r\nJOIN _st_batch b ON r." + pathColumn + " = b.path"
}

// afterRecordsInsert is called between the records INSERT and the counts:
// a test replaces a file there.
var afterRecordsInsert = func([]warehouse.File) {}

func anySeen(files []warehouse.File) bool {
	for _, f := range files {
		if f.Seen {
			return true
		}
	}
	return false
}
