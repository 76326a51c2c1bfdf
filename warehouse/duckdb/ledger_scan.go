package duckdb

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/synctrack/synctrack/warehouse"
)

// scanPage is how many ledger rows one ScanLedger query sorts. One ORDER BY
// over a million-row ledger sorted it whole in DuckDB's memory (the daemon's
// peak went from ~150 to ~490 MiB); pages of 50,000 keep a top-N heap of
// that many rows, at the cost of one pass over the table per page.
var scanPage = 50_000

// ScanLedger streams key, etag, status and attempts of the ledger rows under
// prefix, in key order (DuckDB compares VARCHAR by bytes unless a collation
// is asked for), a page at a time: each page is the next scanPage rows after
// the last (key, etag) seen. The status is interned, so a large scan does not
// make one copy of "loaded" per row.
func (w *Warehouse) ScanLedger(ctx context.Context, prefix string, fn func(warehouse.LedgerVersion) error) error {
	q := `SELECT key, etag, status, coalesce(attempts, 0) FROM ` + w.table("load_ledger") + `
WHERE starts_with(key, ?) AND (key > ? OR (key = ? AND etag > ?))
ORDER BY key, etag LIMIT ` + strconv.Itoa(scanPage)
	// The first page starts after ("", ""): before every key.
	var v warehouse.LedgerVersion
	for {
		n, err := w.scanPage(ctx, q, prefix, &v, fn)
		if err != nil || n < scanPage {
			return err
		}
	}
}

// scanPage reads the page after v's key and etag, leaving v at its last row.
func (w *Warehouse) scanPage(ctx context.Context, q, prefix string, v *warehouse.LedgerVersion, fn func(warehouse.LedgerVersion) error) (int, error) {
	rows, err := w.query(ctx, w.db, q, prefix, v.Key, v.Key, v.ETag)
	if err != nil {
		return 0, classify(err, nil)
	}
	defer rows.Close()
	var status sql.RawBytes
	n := 0
	for rows.Next() {
		if err := rows.Scan(&v.Key, &v.ETag, &status, &v.Attempts); err != nil {
			return n, classify(err, nil)
		}
		n++
		v.Status = internStatus(status)
		if err := fn(*v); err != nil {
			return n, err
		}
	}
	return n, classify(rows.Err(), nil)
}

func internStatus(b []byte) string {
	for _, s := range []string{warehouse.StatusLoaded, warehouse.StatusFailed, warehouse.StatusSkipped, warehouse.StatusReplaced, warehouse.StatusQuarantined} {
		if string(b) == s {
			return s
		}
	}
	return string(b)
}
