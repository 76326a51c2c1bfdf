package snowflake

import (
	"context"
	"database/sql"
	"time"

	"github.com/synctrack/synctrack/warehouse"
)

// Ledger returns every ledger row. On a schema without tables it creates them
// first (tables and views only: the stage is SetUpBucket's).
func (w *Warehouse) Ledger(ctx context.Context) ([]warehouse.LedgerEntry, error) {
	out, err := w.readLedger(ctx)
	if isMissing(err) && !w.ready {
		if w.readOnly {
			return nil, nil
		}
		if err := w.ensureTables(ctx); err != nil {
			return nil, err
		}
		out, err = w.readLedger(ctx)
	}
	if err != nil {
		return nil, err
	}
	w.ready = true
	w.seen = make(map[string]bool, len(out))
	w.loaded = map[string]bool{}
	for _, r := range out {
		w.seen[r.Key] = true
		if r.Status == warehouse.StatusLoaded {
			w.loaded[r.Key] = true
		}
	}
	return out, nil
}

// ScanLedger streams the planning columns of the ledger rows under prefix,
// in key order. Like Ledger, it makes the tables of a schema that has none.
func (w *Warehouse) ScanLedger(ctx context.Context, prefix string, fn func(warehouse.LedgerVersion) error) error {
	err := w.scanLedger(ctx, prefix, fn)
	if isMissing(err) && !w.ready {
		if w.readOnly {
			return nil
		}
		if err := w.ensureTables(ctx); err != nil {
			return err
		}
		err = w.scanLedger(ctx, prefix, fn)
	}
	if err == nil {
		w.ready = true
	}
	return err
}

func (w *Warehouse) scanLedger(ctx context.Context, prefix string, fn func(warehouse.LedgerVersion) error) error {
	q := w.d.LedgerScan(w.schema)
	w.log.Debug("query", "sql", q)
	rows, err := w.db.QueryContext(ctx, q, prefix)
	if err != nil {
		return w.classify(err, q)
	}
	defer rows.Close()
	var v warehouse.LedgerVersion
	for rows.Next() {
		if err := rows.Scan(&v.Key, &v.ETag, &v.Status, &v.Attempts); err != nil {
			return w.classify(err, q)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return w.classify(rows.Err(), q)
}

func (w *Warehouse) readLedger(ctx context.Context) ([]warehouse.LedgerEntry, error) {
	q := w.d.LedgerSelect(w.schema)
	w.log.Debug("query", "sql", q)
	rows, err := w.db.QueryContext(ctx, q)
	if err != nil {
		return nil, w.classify(err, q)
	}
	defer rows.Close()
	var out []warehouse.LedgerEntry
	for rows.Next() {
		var e warehouse.LedgerEntry
		var kind string
		var first, loaded sql.NullInt64
		if err := rows.Scan(&e.Key, &e.ETag, &e.Size, &kind, &e.Status, &e.Rows, &e.Error,
			&e.Attempts, &first, &loaded); err != nil {
			return nil, w.classify(err, q)
		}
		e.Kind = warehouse.Kind(kind)
		if first.Valid {
			e.FirstSeenAt = time.UnixMicro(first.Int64).UTC()
		}
		if loaded.Valid {
			t := time.UnixMicro(loaded.Int64).UTC()
			e.LoadedAt = &t
		}
		out = append(out, e)
	}
	return out, w.classify(rows.Err(), q)
}

// ensureTables creates the schema's tables and views if they are missing.
func (w *Warehouse) ensureTables(ctx context.Context) error {
	for _, s := range w.d.Setup(w.schema, w.c.Stage, w.external) {
		if err := w.exec(ctx, w.db, s); err != nil {
			return err
		}
	}
	w.ready = true
	return nil
}

// Record writes ledger rows for objects that failed or were skipped.
func (w *Warehouse) Record(ctx context.Context, es []warehouse.LedgerEntry) error {
	if len(es) == 0 {
		return nil
	}
	return w.inTx(ctx, func(tx *sql.Tx) error { return w.writeLedger(ctx, tx, es) })
}

// ledgerChunk bounds the rows of one ledger statement, keeping it well
// under Snowflake's statement size limit.
const ledgerChunk = 1000

// writeLedger records es inside tx: two statements per chunk of rows.
func (w *Warehouse) writeLedger(ctx context.Context, tx *sql.Tx, es []warehouse.LedgerEntry) error {
	for start := 0; start < len(es); start += ledgerChunk {
		chunk := es[start:min(start+ledgerChunk, len(es))]
		rows := make([][]any, len(chunk))
		for i, e := range chunk {
			first := e.FirstSeenAt
			if first.IsZero() {
				first = w.now()
			}
			var errText any
			if e.Error != "" {
				errText = e.Error
			}
			rows[i] = []any{e.Key, e.ETag, e.Size, string(e.Kind), e.Status, e.Rows, errText,
				e.Attempts, first, e.LoadedAt}
		}
		for _, s := range w.d.LedgerWrite(w.schema, rows) {
			if err := w.exec(ctx, tx, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// noteSeen remembers keys now in the ledger, once their transaction committed.
func (w *Warehouse) noteSeen(es []warehouse.LedgerEntry) {
	if w.seen == nil {
		return
	}
	for _, e := range es {
		w.seen[e.Key] = true
		if e.Status == warehouse.StatusLoaded && w.loaded != nil {
			w.loaded[e.Key] = true
		}
	}
}
