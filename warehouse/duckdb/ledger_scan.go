package duckdb

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

// scanPage is about how many ledger rows one ScanLedger query returns.
// duckdb-go materializes a whole result before the first row, so one
// ORDER BY over a million-row ledger held it all (the daemon's peak was
// ~490 MiB); pages bound that. Pages by LIMIT (a top-N per page) kept every
// string the top-N saw, so they are ranges between sampled keys instead.
var scanPage = 50_000

// scanSample is how many keys per page the bounds are chosen from: ranges
// come out within ~25% of scanPage.
var scanSample = 20

// ScanLedger streams key, etag, status and attempts of the ledger rows under
// prefix, in key order (DuckDB compares VARCHAR by bytes unless a collation
// is asked for). A reservoir sample of the keys splits a large prefix into
// ranges of about scanPage rows, each read and sorted on its own. The status
// is interned, so a large scan does not make one copy of "loaded" per row.
func (w *Warehouse) ScanLedger(ctx context.Context, prefix string, fn func(warehouse.LedgerVersion) error) error {
	l := w.table("load_ledger")
	bounds, err := w.scanBounds(ctx, l, prefix)
	if err != nil {
		return err
	}
	// Ranges: [prefix, b0), [b0, b1), ..., [bn, end of prefix).
	lo := ""
	for i := 0; i <= len(bounds); i++ {
		q := `SELECT key, etag, status, coalesce(attempts, 0) FROM ` + l + ` WHERE starts_with(key, ?) AND key >= ?`
		args := []any{prefix, lo}
		if i < len(bounds) {
			q += ` AND key < ?`
			args = append(args, bounds[i])
			lo = bounds[i]
		}
		if err := w.scanRange(ctx, q+` ORDER BY key, etag`, args, fn); err != nil {
			return err
		}
	}
	return nil
}

// scanBounds samples the keys under prefix and returns every scanPage-th
// key of the ledger's order, estimated from the sample: distinct, sorted.
func (w *Warehouse) scanBounds(ctx context.Context, l, prefix string) ([]string, error) {
	if strings.Count(prefix, "/") >= 3 {
		// A sync or run folder (an event's, a webhook's): its rows are one
		// sync's at most, and counting them would cost a pass over the
		// whole ledger on the way to every event's load.
		return nil, nil
	}
	var n int
	if err := w.db.QueryRowContext(ctx, `SELECT count(*) FROM `+l+` WHERE starts_with(key, ?)`, prefix).Scan(&n); err != nil {
		return nil, classify(err, nil)
	}
	pages := n / scanPage
	if pages < 2 {
		return nil, nil
	}
	perPage := scanSample
	// The sample size must be a constant in DuckDB's grammar: an int of ours.
	rows, err := w.query(ctx, w.db, `SELECT key FROM (SELECT key FROM `+l+` WHERE starts_with(key, ?)) USING SAMPLE reservoir(`+
		strconv.Itoa(pages*perPage)+` ROWS)`, prefix)
	if err != nil {
		return nil, classify(err, nil)
	}
	defer rows.Close()
	var sample []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, classify(err, nil)
		}
		sample = append(sample, k)
	}
	if err := rows.Err(); err != nil {
		return nil, classify(err, nil)
	}
	slices.Sort(sample)
	var out []string
	for i := perPage; i < len(sample); i += perPage {
		if len(out) == 0 || sample[i] != out[len(out)-1] {
			out = append(out, sample[i])
		}
	}
	return out, nil
}

// scanRange reads one range, in order.
func (w *Warehouse) scanRange(ctx context.Context, q string, args []any, fn func(warehouse.LedgerVersion) error) error {
	rows, err := w.query(ctx, w.db, q, args...)
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
	for _, s := range []string{warehouse.StatusLoaded, warehouse.StatusFailed, warehouse.StatusSkipped, warehouse.StatusReplaced, warehouse.StatusQuarantined, warehouse.StatusExpired, warehouse.StatusDeleted} {
		if string(b) == s {
			return s
		}
	}
	return string(b)
}
