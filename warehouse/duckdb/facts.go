package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// ReplaceFacts rebuilds a fact table from all of its current files: the columns
// as written, ids as text, one row per (org, id) taken from the newest file,
// plus org_id, _file and _loaded_at. Table and ledger rows change together.
func (w *Warehouse) ReplaceFacts(ctx context.Context, table string, files []warehouse.File) error {
	required, ok := dialects.FactColumns[table]
	if !ok {
		return fmt.Errorf("unknown fact table %q", table)
	}
	now := w.now().UTC()
	es := make([]warehouse.LedgerEntry, len(files))
	for i, f := range files {
		es[i] = warehouse.LoadedEntry(f.Object, f.Rows, f.Attempts, f.Note, now)
	}
	return w.inConnTx(ctx, files, func(conn *sql.Conn, tx *sql.Tx) error {
		if err := w.fillBatch(ctx, conn, tx, files); err != nil {
			return err
		}
		if _, err := w.exec(ctx, tx, w.factsSQL(table, required, files), now); err != nil {
			return err
		}
		return w.upsertLedger(ctx, conn, tx, es)
	})
}

func (w *Warehouse) factsSQL(table string, required []string, files []warehouse.File) string {
	d := w.d
	own := map[string]bool{"org_id": true, "_file": true, "_loaded_at": true, pathColumn: true}
	isID := map[string]bool{}
	for _, c := range required {
		if c == "id" || strings.HasSuffix(c, "_id") {
			isID[c] = true
		}
	}
	var paths, sel []string
	has := map[string]bool{}
	for _, f := range files {
		if f.Local == "" {
			continue
		}
		paths = append(paths, d.String(f.Local))
		for _, c := range f.Columns {
			lc := strings.ToLower(c)
			if has[lc] || own[lc] {
				continue
			}
			has[lc] = true
			if isID[lc] {
				sel = append(sel, "CAST(r."+d.Ident(c)+" AS VARCHAR) AS "+d.Ident(lc))
			} else {
				sel = append(sel, "r."+d.Ident(c))
			}
		}
	}
	for _, c := range required {
		if !has[c] {
			sel = append(sel, "CAST(NULL AS VARCHAR) AS "+d.Ident(c))
		}
	}
	target := "CREATE OR REPLACE TABLE " + w.table(table) + " AS\n"
	if len(paths) == 0 {
		return target + "SELECT " + strings.Join(sel, ", ") +
			", CAST(NULL AS VARCHAR) AS org_id, CAST(NULL AS VARCHAR) AS _file, CAST($1 AS TIMESTAMPTZ) AS _loaded_at\nFROM (SELECT NULL) r WHERE false"
	}
	id := "CAST(NULL AS VARCHAR)"
	if has["id"] {
		id = "CAST(r.id AS VARCHAR)"
	}
	return target + "SELECT " + strings.Join(sel, ", ") +
		", b.org_id, b.key AS _file, CAST($1 AS TIMESTAMPTZ) AS _loaded_at\nFROM read_parquet([" +
		strings.Join(paths, ", ") + "], union_by_name = true, filename = " + d.String(pathColumn) +
		") r\nJOIN _st_batch b ON r." + pathColumn + " = b.path\n" +
		"QUALIFY row_number() OVER (PARTITION BY b.org_id, " + id + " ORDER BY b.mtime DESC, b.key DESC) = 1"
}
