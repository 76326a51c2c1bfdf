package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/synctrack/synctrack/dialects"
)

// identifierKeyState reads what the catalog says of sync_records' identifier
// key: whether the column is there, the stamp its comment holds, and the
// stamp this DuckDB computes (dialects.DuckDB.IdentifierKeyStamp); and, in
// the same query, the key of identifier. It reads the catalog only, no row.
// Names are matched as DuckDB matches them, whatever their case.
func (w *Warehouse) identifierKeyState(ctx context.Context, on queryer, identifier string) (has bool, stored, want string, key int64, err error) {
	q := `SELECT count(*), coalesce(max(comment), ''), ` + w.d.IdentifierKeyStamp() + `, ` + w.d.IdentifierKey("CAST($3 AS VARCHAR)") + `
FROM duckdb_columns()
WHERE database_name = current_database() AND lower(schema_name) = lower($1) AND table_name = 'sync_records' AND column_name = $2`
	rows, err := w.query(ctx, on, q, w.schema, dialects.IdentifierKeyColumn, identifier)
	if err != nil {
		return false, "", "", 0, err
	}
	defer rows.Close()
	var n int
	for rows.Next() {
		if err := rows.Scan(&n, &stored, &want, &key); err != nil {
			return false, "", "", 0, err
		}
	}
	return n > 0, stored, want, key, rows.Err()
}

// ensureIdentifierKey gives sync_records its identifier key column, filled,
// when the table was made without it (before synctrack kept one) or when
// its keys were computed by a DuckDB that hashes otherwise (the comment's
// stamp differs): one transaction adds or recomputes the keys and writes the
// stamp, so a crash leaves the old state and the next open does it again.
// Loads write the key of every row they insert; nothing else writes the
// column.
func (w *Warehouse) ensureIdentifierKey(ctx context.Context) error {
	has, stored, want, _, err := w.identifierKeyState(ctx, w.db, "")
	if err != nil {
		return classify(fmt.Errorf("read the identifier key's state: %w", err), nil)
	}
	recs := w.table("sync_records")
	col := w.d.Ident(dialects.IdentifierKeyColumn)
	if has && stored == want {
		// Rows another program wrote without a key (an INSERT naming its
		// columns): keyed now. DuckDB's statistics skip every row group
		// without a NULL, so this costs next to nothing when there is none.
		res, err := w.exec(ctx, w.db, "UPDATE "+recs+" SET "+col+" = "+w.d.IdentifierKey("identifier")+" WHERE "+col+" IS NULL")
		if err != nil {
			return classify(fmt.Errorf("key the rows without an identifier key: %w", err), nil)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			w.log.Info("wrote the identifier key of rows written without one", "schema", w.schema, "rows", n)
		}
		return nil
	}
	var n int64
	err = w.inTx(ctx, nil, func(tx *sql.Tx) error {
		if !has {
			if _, err := w.exec(ctx, tx, "ALTER TABLE "+recs+" ADD COLUMN "+col+" UINTEGER"); err != nil {
				return err
			}
		}
		res, err := w.exec(ctx, tx, "UPDATE "+recs+" SET "+col+" = "+w.d.IdentifierKey("identifier"))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		_, err = w.exec(ctx, tx, "COMMENT ON COLUMN "+recs+"."+col+" IS "+w.d.String(want))
		return err
	})
	if err != nil {
		return fmt.Errorf("write sync_records' identifier keys: %w", err)
	}
	if n > 0 {
		w.log.Info("wrote the identifier key of every row of sync_records", "schema", w.schema, "rows", n, "added_column", !has)
	}
	return nil
}

// IdentifierKey is the key the record search filters on with identifier, and
// whether it may: only when sync_records has the column and its stamp is
// this DuckDB's, so the keys were computed by the same hash, and no row
// lacks one. A query of the catalog and one the statistics answer.
func (w *Warehouse) IdentifierKey(ctx context.Context, identifier string) (int64, bool, error) {
	has, stored, want, key, err := w.identifierKeyState(ctx, w.db, identifier)
	if err != nil {
		return 0, false, classify(fmt.Errorf("identifier key: %w", err), nil)
	}
	if !has || stored != want {
		return 0, false, nil
	}
	// A row written without a key (by another program, until synctrack
	// next opens the file for writing) would be missed: search by the
	// identifier alone then. DuckDB's statistics answer this from the row
	// groups' metadata (under a millisecond on 20M rows).
	var unkeyed int
	q := "SELECT count(*) FROM (SELECT 1 FROM " + w.table("sync_records") + " WHERE " + w.d.Ident(dialects.IdentifierKeyColumn) + " IS NULL LIMIT 1)"
	if err := w.db.QueryRowContext(ctx, q).Scan(&unkeyed); err != nil {
		return 0, false, classify(fmt.Errorf("identifier key: %w", err), nil)
	}
	return key, unkeyed == 0, nil
}
