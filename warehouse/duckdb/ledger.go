package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Ledger returns every ledger row.
func (w *Warehouse) Ledger(ctx context.Context) ([]warehouse.LedgerEntry, error) {
	rows, err := w.query(ctx, w.db, `SELECT key, etag, coalesce(size, 0), kind, status,
  coalesce(rows, 0), coalesce(error, ''), coalesce(attempts, 0), first_seen_at, loaded_at
FROM `+w.table("load_ledger"))
	if err != nil {
		return nil, classify(err, nil)
	}
	defer rows.Close()
	var out []warehouse.LedgerEntry
	for rows.Next() {
		var e warehouse.LedgerEntry
		var kind string
		var loaded sql.NullTime
		if err := rows.Scan(&e.Key, &e.ETag, &e.Size, &kind, &e.Status, &e.Rows, &e.Error,
			&e.Attempts, &e.FirstSeenAt, &loaded); err != nil {
			return nil, err
		}
		e.Kind = warehouse.Kind(kind)
		if loaded.Valid {
			t := loaded.Time
			e.LoadedAt = &t
		}
		out = append(out, e)
	}
	return out, classify(rows.Err(), nil)
}

// Record writes ledger rows for objects that failed or were skipped.
func (w *Warehouse) Record(ctx context.Context, es []warehouse.LedgerEntry) error {
	return w.inTx(ctx, nil, func(tx *sql.Tx) error { return w.upsertLedger(ctx, tx, es) })
}

// upsertLedger writes one row per (key, etag): a version seen before keeps its
// first_seen_at. A newer version supersedes the key's failed versions, and a
// loaded one its loaded versions too: those become "replaced". (A failed new
// version leaves an older loaded one as it is: its rows are still there.)
func (w *Warehouse) upsertLedger(ctx context.Context, tx *sql.Tx, es []warehouse.LedgerEntry) error {
	if len(es) == 0 {
		return nil
	}
	if _, err := w.exec(ctx, tx, `CREATE OR REPLACE TEMP TABLE _st_ledger AS
SELECT * FROM `+w.table("load_ledger")+` LIMIT 0`); err != nil {
		return err
	}
	rows := make([][]any, len(es))
	for i, e := range es {
		var loaded any
		if e.LoadedAt != nil {
			loaded = e.LoadedAt.UTC()
		}
		first := e.FirstSeenAt
		if first.IsZero() {
			first = w.now()
		}
		rows[i] = []any{e.Key, e.ETag, e.Size, string(e.Kind), e.Status, e.Rows,
			nullString(e.Error), e.Attempts, first.UTC(), loaded}
	}
	if err := w.insertValues(ctx, tx, "_st_ledger", len(dialects.LedgerColumns), rows); err != nil {
		return err
	}
	l := w.table("load_ledger")
	for _, s := range []string{
		`UPDATE ` + l + ` SET status = 'replaced' FROM _st_ledger n
WHERE ` + l + `.key = n.key AND ` + l + `.etag <> n.etag
  AND (` + l + `.status IN ('failed', 'quarantined') OR (` + l + `.status = 'loaded' AND n.status = 'loaded'))`,
		`UPDATE ` + l + ` SET size = n.size, kind = n.kind, status = n.status, rows = n.rows,
  error = n.error, attempts = n.attempts, loaded_at = n.loaded_at
FROM _st_ledger n WHERE ` + l + `.key = n.key AND ` + l + `.etag = n.etag`,
		`INSERT INTO ` + l + ` SELECT n.* FROM _st_ledger n
WHERE NOT EXISTS (SELECT 1 FROM ` + l + ` o WHERE o.key = n.key AND o.etag = n.etag)`,
		`DROP TABLE _st_ledger`,
	} {
		if _, err := w.exec(ctx, tx, s); err != nil {
			return fmt.Errorf("write ledger: %w", err)
		}
	}
	return nil
}

// insertValues inserts rows into a table we own, many rows per statement. Each
// value is rendered by literal, whose strings go through the dialect's one
// audited quoting function: with thousands of rows per batch this is one parse
// instead of a driver call per bound value.
func (w *Warehouse) insertValues(ctx context.Context, tx *sql.Tx, table string, width int, rows [][]any) error {
	const perStmt = 1000
	d := dialects.DuckDB{}
	for start := 0; start < len(rows); start += perStmt {
		chunk := rows[start:min(start+perStmt, len(rows))]
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " VALUES ")
		for i, r := range chunk {
			if len(r) != width {
				return fmt.Errorf("insert into %s: row has %d values, want %d", table, len(r), width)
			}
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					q.WriteString(", ")
				}
				lit, err := literal(d, v)
				if err != nil {
					return fmt.Errorf("insert into %s: %w", table, err)
				}
				q.WriteString(lit)
			}
			q.WriteByte(')')
		}
		if _, err := w.exec(ctx, tx, q.String()); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

// literal renders one Go value as a DuckDB literal.
func literal(d dialects.DuckDB, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case string:
		return d.String(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case bool:
		return strconv.FormatBool(x), nil
	case time.Time:
		return "CAST(" + d.String(x.UTC().Format(time.RFC3339Nano)) + " AS TIMESTAMPTZ)", nil
	}
	return "", fmt.Errorf("no literal for %T", v)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
