package duckdb

import (
	"context"
	"database/sql"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Expire applies retention in one transaction (see warehouse.Warehouse).
func (w *Warehouse) Expire(ctx context.Context, r warehouse.Retention) (warehouse.Expired, error) {
	if r.Days <= 0 {
		return warehouse.Expired{}, nil
	}
	s := dialects.Expire(w.d, w.schema, r.Cutoff, r.Note())
	var out warehouse.Expired
	err := w.inTx(ctx, nil, func(tx *sql.Tx) error {
		for _, q := range s.Files {
			if _, err := w.exec(ctx, tx, q); err != nil {
				return err
			}
		}
		res, err := w.exec(ctx, tx, s.Ledger)
		if err != nil {
			return err
		}
		if out.Files, err = res.RowsAffected(); err != nil {
			return err
		}
		if res, err = w.exec(ctx, tx, s.Rows); err != nil {
			return err
		}
		out.Rows, err = res.RowsAffected()
		return err
	})
	return out, err
}
