package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// missing says err is the schema or the ledger not existing yet: a
// read-only open of a schema no load has made reads as an empty ledger.
func missing(err error) bool { c := code(err); return c == "42P01" || c == "3F000" }

// Ledger returns every ledger row.
func (w *Warehouse) Ledger(ctx context.Context) ([]warehouse.LedgerEntry, error) {
	if err := w.lockLoads(ctx); err != nil {
		return nil, err
	}
	rows, err := w.pool.Query(ctx, `SELECT key, etag, coalesce(size, 0), kind, status, coalesce(rows, 0),
  coalesce(error, ''), coalesce(attempts, 0), first_seen_at, loaded_at FROM `+w.table("load_ledger"))
	if err != nil {
		if missing(err) {
			return nil, nil
		}
		return nil, classify(err)
	}
	defer rows.Close()
	var out []warehouse.LedgerEntry
	for rows.Next() {
		var e warehouse.LedgerEntry
		var kind string
		if err := rows.Scan(&e.Key, &e.ETag, &e.Size, &kind, &e.Status, &e.Rows, &e.Error,
			&e.Attempts, &e.FirstSeenAt, &e.LoadedAt); err != nil {
			return nil, classify(err)
		}
		e.Kind = warehouse.Kind(kind)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil && !missing(err) {
		return nil, classify(err)
	}
	return out, nil
}

// ScanLedger streams key, etag, status and attempts of the ledger rows
// under prefix in byte order of key (COLLATE "C": the database's own
// collation may order by language rules, which a listing does not), the
// status interned so a large scan holds one copy of each.
func (w *Warehouse) ScanLedger(ctx context.Context, prefix string, fn func(warehouse.LedgerVersion) error) error {
	if err := w.lockLoads(ctx); err != nil {
		return err
	}
	rows, err := w.pool.Query(ctx, `SELECT key, etag, status, coalesce(attempts, 0) FROM `+w.table("load_ledger")+`
WHERE starts_with(key, $1) ORDER BY key COLLATE "C"`, prefix)
	if err != nil {
		if missing(err) {
			return nil
		}
		return classify(err)
	}
	defer rows.Close()
	var v warehouse.LedgerVersion
	var status []byte
	for rows.Next() {
		if err := rows.Scan(&v.Key, &v.ETag, &status, &v.Attempts); err != nil {
			return classify(err)
		}
		v.Status = intern(status)
		if err := fn(v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil && !missing(err) {
		return classify(err)
	}
	return nil
}

func intern(b []byte) string {
	for _, s := range []string{warehouse.StatusLoaded, warehouse.StatusFailed, warehouse.StatusSkipped,
		warehouse.StatusReplaced, warehouse.StatusQuarantined, warehouse.StatusExpired, warehouse.StatusDeleted} {
		if string(b) == s {
			return s
		}
	}
	return string(b)
}

// Record writes ledger rows for objects that failed or were skipped.
func (w *Warehouse) Record(ctx context.Context, es []warehouse.LedgerEntry) error {
	if err := w.lockLoads(ctx); err != nil {
		return err
	}
	return w.inTx(ctx, func(tx pgx.Tx) error { return w.upsertLedger(ctx, tx, es) })
}

// upsertLedger writes one row per (key, etag), keeping a version's
// first_seen_at, and when written as deleted its size, rows and loaded_at
// (dialects.LedgerSet). A newer version supersedes the key's failed versions, and
// a loaded one its loaded versions too: those become "replaced" (a failed
// new version leaves an older loaded one as it is: its rows are still
// there). The rows travel as one array parameter per column, in two
// statements sent in one round trip, whatever their number.
func (w *Warehouse) upsertLedger(ctx context.Context, tx pgx.Tx, es []warehouse.LedgerEntry) error {
	if len(es) == 0 {
		return nil
	}
	a := ledgerArrays(es, w.now())
	l := w.table("load_ledger")
	const rows = `unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[],
  $8::integer[], $9::timestamptz[], $10::timestamptz[])
  AS n(key, etag, size, kind, status, rows, error, attempts, first_seen_at, loaded_at)`
	b := &pgx.Batch{}
	b.Queue(`UPDATE `+l+` o SET status = 'replaced' FROM `+rows+`
WHERE o.key = n.key AND o.etag <> n.etag
  AND (o.status IN ('failed', 'quarantined') OR (o.status = 'loaded' AND n.status = 'loaded'))`, a...)
	var set []string
	for _, c := range dialects.LedgerColumns {
		if c.Name != "key" && c.Name != "etag" && c.Name != "first_seen_at" {
			set = append(set, c.Name+" = "+dialects.LedgerSet(w.d, c.Name, "EXCLUDED", "o"))
		}
	}
	b.Queue(`INSERT INTO `+l+` AS o (key, etag, size, kind, status, rows, error, attempts, first_seen_at, loaded_at)
SELECT key, etag, size, kind, status, rows, NULLIF(error, ''), attempts, first_seen_at, loaded_at FROM `+rows+`
ON CONFLICT (key, etag) DO UPDATE SET `+strings.Join(set, ", "), a...)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("write ledger: %w", err)
	}
	return nil
}

// ledgerArrays is the entries as one slice per column, one entry per
// (key, etag), the last given winning: ON CONFLICT cannot touch a row twice.
func ledgerArrays(es []warehouse.LedgerEntry, now time.Time) []any {
	last := map[[2]string]int{}
	for i, e := range es {
		last[[2]string{e.Key, e.ETag}] = i
	}
	n := len(last)
	keys, etags, kinds, statuses, errs := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	sizes, rows := make([]int64, 0, n), make([]int64, 0, n)
	attempts := make([]int32, 0, n)
	first, loaded := make([]time.Time, 0, n), make([]*time.Time, 0, n)
	for i, e := range es {
		if last[[2]string{e.Key, e.ETag}] != i {
			continue
		}
		keys, etags, sizes = append(keys, e.Key), append(etags, e.ETag), append(sizes, e.Size)
		kinds, statuses, rows = append(kinds, string(e.Kind)), append(statuses, e.Status), append(rows, e.Rows)
		errs, attempts = append(errs, safeText(e.Error)), append(attempts, e.StoredAttempts())
		f := e.FirstSeenAt
		if f.IsZero() {
			f = now
		}
		first = append(first, f.UTC())
		var l *time.Time
		if e.LoadedAt != nil {
			t := e.LoadedAt.UTC()
			l = &t
		}
		loaded = append(loaded, l)
	}
	return []any{keys, etags, sizes, kinds, statuses, rows, errs, attempts, first, loaded}
}

// safeText is s as PostgreSQL text can hold it: NUL bytes dropped, bytes
// that are not UTF-8 replaced. Error messages may quote a file's bytes.
func safeText(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}
