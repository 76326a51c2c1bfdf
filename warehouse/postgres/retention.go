package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Expire applies retention in one transaction (see warehouse.Warehouse).
func (w *Warehouse) Expire(ctx context.Context, r warehouse.Retention) (warehouse.Expired, error) {
	if r.Days <= 0 {
		return warehouse.Expired{}, nil
	}
	if err := w.lockLoads(ctx); err != nil {
		return warehouse.Expired{}, err
	}
	s := dialects.Expire(w.d, w.schema, r.Cutoff, r.Note())
	var out warehouse.Expired
	err := w.inTx(ctx, func(tx pgx.Tx) error {
		for _, q := range s.Files {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, s.Ledger)
		if err != nil {
			return err
		}
		out.Files = tag.RowsAffected()
		if tag, err = tx.Exec(ctx, s.Rows); err != nil {
			return err
		}
		out.Rows = tag.RowsAffected()
		return nil
	})
	return out, err
}
