package bigquery

import (
	"context"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/warehouse"
)

// Ledger returns every ledger row.
func (w *Warehouse) Ledger(ctx context.Context) ([]warehouse.LedgerEntry, error) {
	if w.c.ReadOnly {
		// Read-only opens create nothing: a dataset or ledger not there yet
		// is an empty ledger. Asked through the API, where both BigQuery and
		// the emulator answer 404 (a query's missing table is 400 there).
		if _, err := w.ds.Table("load_ledger").Metadata(ctx); isNotFound(err) {
			return nil, nil
		}
	}
	var out []warehouse.LedgerEntry
	err := w.read(ctx, "SELECT `key`, `etag`, COALESCE(`size`, 0), `kind`, `status`, COALESCE(`rows`, 0), "+
		"COALESCE(`error`, ''), COALESCE(`attempts`, 0), `first_seen_at`, `loaded_at` FROM "+w.table("load_ledger"),
		func(r []bigquery.Value) error {
			e := warehouse.LedgerEntry{Key: str(r[0]), ETag: str(r[1]), Size: i64(r[2]), Kind: warehouse.Kind(str(r[3])),
				Status: str(r[4]), Rows: i64(r[5]), Error: str(r[6]), Attempts: int(i64(r[7]))}
			if t, ok := r[8].(time.Time); ok {
				e.FirstSeenAt = t
			}
			if t, ok := r[9].(time.Time); ok {
				e.LoadedAt = &t
			}
			out = append(out, e)
			return nil
		})
	return out, wrap("read ledger", err)
}

// ScanLedger streams the planning columns of the ledger rows under prefix,
// ordered by key (BigQuery orders STRING by its bytes).
func (w *Warehouse) ScanLedger(ctx context.Context, prefix string, fn func(warehouse.LedgerVersion) error) error {
	if w.c.ReadOnly {
		if _, err := w.ds.Table("load_ledger").Metadata(ctx); isNotFound(err) {
			return nil
		}
	}
	err := w.read(ctx, "SELECT `key`, `etag`, `status`, COALESCE(`attempts`, 0) FROM "+w.table("load_ledger")+
		" WHERE STARTS_WITH(`key`, @prefix) ORDER BY `key`",
		func(r []bigquery.Value) error {
			return fn(warehouse.LedgerVersion{Key: str(r[0]), ETag: str(r[1]), Status: str(r[2]), Attempts: int(i64(r[3]))})
		}, bigquery.QueryParameter{Name: "prefix", Value: prefix})
	return wrap("read ledger", err)
}

// Record writes ledger rows for objects that failed or were skipped.
func (w *Warehouse) Record(ctx context.Context, es []warehouse.LedgerEntry) error {
	if len(es) == 0 {
		return nil
	}
	in, drop, err := w.stage(ctx, arrays{ledger: w.ledgerRows(es)})
	if err != nil {
		return wrap("write ledger", err)
	}
	defer drop()
	decl := w.d.Declare(&in)
	script, err := join(decl, nil, w.d.Transaction(w.d.WriteLedger(w.c.Dataset, in.Ledger)...), nil)
	if err == nil {
		err = w.query(ctx, script)
	}
	return wrap("write ledger", err)
}

func str(v bigquery.Value) string {
	s, _ := v.(string)
	return s
}

func i64(v bigquery.Value) int64 {
	n, _ := v.(int64)
	return n
}
