package duckdb

import (
	"context"
	"database/sql"

	"github.com/synctrack/synctrack/warehouse"
)

// ScanLedger streams key, etag, status and attempts of the ledger rows under
// prefix, in key order (DuckDB compares VARCHAR by bytes unless a collation
// is asked for). The status is interned, so a large scan does not make one
// copy of "loaded" per row.
func (w *Warehouse) ScanLedger(ctx context.Context, prefix string, fn func(warehouse.LedgerVersion) error) error {
	rows, err := w.query(ctx, w.db, `SELECT key, etag, status, coalesce(attempts, 0) FROM `+w.table("load_ledger")+`
WHERE starts_with(key, ?) ORDER BY key`, prefix)
	if err != nil {
		return classify(err, nil)
	}
	defer rows.Close()
	var v warehouse.LedgerVersion
	var status sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&v.Key, &v.ETag, &status, &v.Attempts); err != nil {
			return classify(err, nil)
		}
		v.Status = internStatus(status)
		if err := fn(v); err != nil {
			return err
		}
	}
	return classify(rows.Err(), nil)
}

func internStatus(b []byte) string {
	for _, s := range []string{warehouse.StatusLoaded, warehouse.StatusFailed, warehouse.StatusSkipped, warehouse.StatusReplaced, warehouse.StatusQuarantined} {
		if string(b) == s {
			return s
		}
	}
	return string(b)
}
