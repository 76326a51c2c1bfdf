package snowflake

import (
	"context"

	"github.com/synctrack/synctrack/warehouse"
)

// Requeue makes quarantined ledger rows failed again with no attempts.
func (w *Warehouse) Requeue(ctx context.Context, keys []string) (int64, error) {
	var total int64
	where := w.d.Ident("status") + " = " + w.d.String(warehouse.StatusQuarantined)
	stmt := func(extra string) string {
		return "UPDATE " + w.table("load_ledger") + " SET " + w.d.Ident("status") + " = " + w.d.String(warehouse.StatusFailed) +
			", " + w.d.Ident("attempts") + " = 0 WHERE " + where + extra
	}
	if len(keys) == 0 {
		return w.execCount(ctx, w.db, stmt(""))
	}
	for _, c := range chunks(keys) {
		n, err := w.execCount(ctx, w.db, stmt(" AND "+w.d.In("key", c)))
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
