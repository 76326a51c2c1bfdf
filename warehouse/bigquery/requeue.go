package bigquery

import (
	"context"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/warehouse"
)

// Requeue makes quarantined ledger rows failed again with no attempts. The
// count comes from a read first: the emulator reports no affected rows.
func (w *Warehouse) Requeue(ctx context.Context, keys []string) (int64, error) {
	d := w.d
	where := " WHERE " + d.Ident("status") + " = " + d.String(warehouse.StatusQuarantined)
	var params []bigquery.QueryParameter
	if len(keys) > 0 {
		where += " AND " + d.Ident("key") + " IN UNNEST(@keys)"
		params = append(params, bigquery.QueryParameter{Name: "keys", Value: keys})
	}
	var n int64
	err := w.read(ctx, "SELECT COUNT(*) FROM "+w.table("load_ledger")+where, func(r []bigquery.Value) error {
		n = i64(r[0])
		return nil
	}, params...)
	if err != nil || n == 0 {
		return 0, err
	}
	return n, w.query(ctx, "UPDATE "+w.table("load_ledger")+" SET "+d.Ident("status")+" = "+d.String(warehouse.StatusFailed)+
		", "+d.Ident("attempts")+" = 0"+where, params...)
}
