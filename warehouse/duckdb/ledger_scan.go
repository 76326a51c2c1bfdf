package duckdb

import (
	"context"
	"database/sql"

	"github.com/synctrack/synctrack/warehouse"
)

var _ warehouse.LedgerScanner = (*Warehouse)(nil)

// ScanLedger streams key, etag, status and attempts of every ledger row. The
// status is interned, so a 100,000-row ledger does not hold 100,000 copies of
// "loaded".
func (w *Warehouse) ScanLedger(ctx context.Context, fn func(key, etag, status string, attempts int) error) error {
	rows, err := w.query(ctx, w.db, `SELECT key, etag, status, coalesce(attempts, 0) FROM `+w.table("load_ledger"))
	if err != nil {
		return classify(err, nil)
	}
	defer rows.Close()
	var key, etag string
	var status sql.RawBytes
	var attempts int
	for rows.Next() {
		if err := rows.Scan(&key, &etag, &status, &attempts); err != nil {
			return classify(err, nil)
		}
		if err := fn(key, etag, internStatus(status), attempts); err != nil {
			return err
		}
	}
	return classify(rows.Err(), nil)
}

func internStatus(b []byte) string {
	for _, s := range []string{warehouse.StatusLoaded, warehouse.StatusFailed, warehouse.StatusSkipped, warehouse.StatusReplaced, warehouse.StatusQuarantined, warehouse.StatusExpired} {
		if string(b) == s {
			return s
		}
	}
	return string(b)
}
