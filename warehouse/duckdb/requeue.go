package duckdb

import (
	"context"
	"database/sql"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

// Requeue makes quarantined ledger rows failed again with no attempts.
func (w *Warehouse) Requeue(ctx context.Context, keys []string) (int64, error) {
	q := `UPDATE ` + w.table("load_ledger") + ` SET status = '` + warehouse.StatusFailed + `', attempts = 0
WHERE status = '` + warehouse.StatusQuarantined + `'`
	if len(keys) > 0 {
		lits := make([]string, len(keys))
		for i, k := range keys {
			lits[i] = w.d.String(k)
		}
		q += ` AND key IN (` + strings.Join(lits, ", ") + `)`
	}
	var n int64
	err := w.inTx(ctx, nil, func(tx *sql.Tx) error {
		res, err := w.exec(ctx, tx, q)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
