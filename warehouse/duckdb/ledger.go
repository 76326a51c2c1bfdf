package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

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
	return w.inConnTx(ctx, nil, func(conn *sql.Conn, tx *sql.Tx) error { return w.upsertLedger(ctx, conn, tx, es) })
}

// upsertLedger writes one row per (key, etag): a version seen before keeps its
// first_seen_at, and when written as deleted its size, rows and loaded_at. A newer version supersedes the key's failed versions, and a
// loaded one its loaded versions too: those become "replaced". (A failed new
// version leaves an older loaded one as it is: its rows are still there.)
func (w *Warehouse) upsertLedger(ctx context.Context, conn *sql.Conn, tx *sql.Tx, es []warehouse.LedgerEntry) error {
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
			nullString(e.Error), e.StoredAttempts(), first.UTC(), loaded}
	}
	if err := w.appendValues(ctx, conn, "_st_ledger", dialects.Names(dialects.LedgerColumns), rows); err != nil {
		return err
	}
	l := w.table("load_ledger")
	for _, s := range []string{
		`UPDATE ` + l + ` SET status = 'replaced' FROM _st_ledger n
WHERE ` + l + `.key = n.key AND ` + l + `.etag <> n.etag
  AND (` + l + `.status IN ('failed', 'quarantined') OR (` + l + `.status = 'loaded' AND n.status = 'loaded'))`,
		`UPDATE ` + l + ` SET ` + w.ledgerSets(l) + `
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

// ledgerSets is the SET list that writes a version seen before again from
// _st_ledger n: every column but its key and first_seen_at, and those a
// deleted row keeps (dialects.LedgerSet).
func (w *Warehouse) ledgerSets(l string) string {
	var set []string
	for _, c := range dialects.LedgerColumns {
		if c.Name != "key" && c.Name != "etag" && c.Name != "first_seen_at" {
			set = append(set, w.d.Ident(c.Name)+" = "+dialects.LedgerSet(w.d, c.Name, "n", l))
		}
	}
	return strings.Join(set, ", ")
}

// appendValues puts rows into table, a temp table of the transaction's
// connection (conn), through DuckDB's Appender: for a batch of 1,000 small
// files _st_batch and _st_ledger took 50-110 ms each as literal VALUES
// (DuckDB parsing and binding 8,000-10,000 literals), a sixth of the
// batch's time. Each string is stored as insertValues' literal would store
// it (dialects.StoredText: no NUL bytes, invalid UTF-8 replaced), so a key
// is the same string whichever way it went in, and matches the literals
// other statements compare it with.
func (w *Warehouse) appendValues(ctx context.Context, conn *sql.Conn, table string, columns []string, rows [][]any) error {
	vals := make([][]driver.Value, len(rows))
	for i, r := range rows {
		if len(r) != len(columns) {
			return fmt.Errorf("insert into %s: row has %d values, want %d", table, len(r), len(columns))
		}
		vals[i] = make([]driver.Value, len(r))
		for j, v := range r {
			switch x := v.(type) {
			case string:
				vals[i][j] = dialects.StoredText(x)
			case nil, int32, int64, time.Time:
				vals[i][j] = x
			case int:
				vals[i][j] = int64(x)
			default:
				return fmt.Errorf("insert into %s: a value of type %T", table, v)
			}
		}
	}
	return w.onDriverConn(ctx, conn, func(c driver.Conn) error {
		return w.appendRows(c, "temp", "main", table, columns, len(vals), func(a *duckdb.Appender, i int) error {
			return a.AppendRow(vals[i]...)
		})
	})
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
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
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
