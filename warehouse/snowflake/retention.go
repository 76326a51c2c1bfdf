package snowflake

import (
	"context"
	"database/sql"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Expire applies retention in one transaction (see warehouse.Warehouse). It
// reads the expiring files first and names them in the statements that
// follow, as a load names its files: the ledger UPDATE and the deletes by
// _file take key lists, and sync_records loses those files' rows whole.
// One last DELETE by batch_started_at takes the older rows of files that
// straddle the cutoff. No clustering key makes these cheaper at synctrack's
// sizes (README, Snowflake: clustering).
func (w *Warehouse) Expire(ctx context.Context, r warehouse.Retention) (warehouse.Expired, error) {
	if r.Days <= 0 {
		return warehouse.Expired{}, nil
	}
	if w.external {
		return warehouse.Expired{}, warehouse.ExternalRetention()
	}
	s := dialects.Expire(w.d, w.schema, r.Cutoff, r.Note())
	var out warehouse.Expired
	err := w.inTx(ctx, func(tx *sql.Tx) error {
		keys, err := w.expiring(ctx, tx, s.Expiring)
		if err != nil {
			return err
		}
		for _, c := range chunks(keys) {
			for _, t := range dialects.FileTables {
				if err := w.exec(ctx, tx, "DELETE FROM "+w.table(t)+" WHERE "+w.d.In("_file", c)); err != nil {
					return err
				}
			}
			n, err := w.execCount(ctx, tx, dialects.ExpireLedger(w.d, w.schema, r.Note(), w.d.In("key", c)))
			if err != nil {
				return err
			}
			out.Files += n
			if n, err = w.execCount(ctx, tx, "DELETE FROM "+w.table("sync_records")+" WHERE "+w.d.In("_file", c)); err != nil {
				return err
			}
			out.Rows += n
		}
		n, err := w.execCount(ctx, tx, s.Rows)
		out.Rows += n
		return err
	})
	return out, err
}

// expiring reads the keys of the files that expire, in the transaction.
func (w *Warehouse) expiring(ctx context.Context, tx *sql.Tx, q string) ([]string, error) {
	q = "SELECT DISTINCT " + w.d.Ident("_file") + " FROM (" + q + ")"
	w.log.Debug("query", "sql", q)
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, w.classify(err, q)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, w.classify(err, q)
		}
		keys = append(keys, k)
	}
	return keys, w.classify(rows.Err(), q)
}
