// Package postgres is the PostgreSQL warehouse. It is a LocalReader: the
// loader stages each object and checks its footer, and this package reads the
// staged parquet itself with parquet-go, one row group at a time, and sends
// the rows with COPY in binary, straight into sync_records, inside the
// batch's one transaction with its DELETE and its ledger rows.
package postgres

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Warehouse is one schema of a PostgreSQL database.
type Warehouse struct {
	pool *pgxpool.Pool
	// streams is how many connections a large batch's load uses at once
	// (split), splitRows the rows of a batch that makes it large.
	streams   int
	splitRows int64
	d         dialects.Postgres
	schema    string
	now       func() time.Time
	log       *slog.Logger
	// noCounts: loads neither tally nor write the counts (SkipCounts; bench only).
	noCounts bool
	// readOnly handles never take the load lock (loadlock.go); a writing
	// one takes it at its first ledger read or load write and waits
	// lockWait for it. lockConn holds it until Close; every lockPing a
	// keeper asks it something, and lockLost is why it was lost.
	readOnly bool
	lockWait time.Duration
	lockMu   sync.Mutex
	lockConn *pgx.Conn
	lockPing time.Duration
	lockLost error
	lockStop chan struct{}
}

var (
	_ warehouse.Warehouse     = (*Warehouse)(nil)
	_ warehouse.LocalReader   = (*Warehouse)(nil)
	_ warehouse.CountsSkipper = (*Warehouse)(nil)
	_ warehouse.FileRanger    = (*Warehouse)(nil)
)

// SkipCounts makes this handle's loads neither count the rows nor write
// the counts: for `synctrack bench`'s load without them, the before of
// what they cost.
func (w *Warehouse) SkipCounts() { w.noCounts = true }

// Open connects (one pool of at most 4 connections) and, unless read-only,
// creates the schema and its tables. Every connection has
// standard_conforming_strings on, which the dialect's quoting relies on,
// and the UTC time zone, so instants print as the other engines print them.
func Open(ctx context.Context, c Config, now func() time.Time) (*Warehouse, error) {
	if now == nil {
		now = time.Now
	}
	log := c.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	log = log.WithGroup("postgres")
	pc := c.Pool.Copy()
	rp := pc.ConnConfig.RuntimeParams
	rp["standard_conforming_strings"] = "on"
	rp["TimeZone"] = "UTC"
	if rp["application_name"] == "" {
		rp["application_name"] = "synctrack"
	}
	if c.ReadOnly {
		rp["default_transaction_read_only"] = "on"
	}
	if pc.MaxConns > 4 {
		pc.MaxConns = 4 // a load's two connections (split), the daemon's lease renewal
	}
	pc.ConnConfig.Tracer = tracer{log}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, classify(fmt.Errorf("connect: %w", withoutRefusedTLS(err)))
	}
	w := &Warehouse{pool: pool, schema: c.Schema, now: now, log: log, streams: min(2, int(pc.MaxConns)-1), splitRows: splitRows,
		readOnly: c.ReadOnly, lockWait: c.LockWait, lockPing: lockPing}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, classify(fmt.Errorf("connect: %w", withoutRefusedTLS(err)))
	}
	if !c.ReadOnly {
		if err := w.setup(ctx); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return w, nil
}

// setup creates the schema if it is missing and the tables and sync_log if
// they are, under a transaction-scoped advisory lock: two processes
// creating the same table at once would otherwise collide in the catalog.
// It also shares the load lock (loadlock.go), waiting lockWait for a load
// to end: its CREATE INDEX IF NOT EXISTS takes a lock on sync_records that
// a load's transaction holds, and would wait for the load's batch without
// a word, however long --lock-wait, and hold up the load's next batch.
func (w *Warehouse) setup(ctx context.Context) error {
	return w.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('synctrack:' || $1))`, w.schema); err != nil {
			return err
		}
		if err := waitLock(ctx, tx, "pg_try_advisory_xact_lock_shared", w.schema, w.lockWait); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, w.schema).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			if _, err := tx.Exec(ctx, "CREATE SCHEMA "+w.d.Ident(w.schema)); err != nil {
				return fmt.Errorf("create schema %s: %w", w.schema, err)
			}
		}
		for _, s := range w.d.Setup(w.schema) {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("set up schema %s: %w", w.schema, err)
			}
		}
		if err := w.backfillCounts(ctx, tx); err != nil {
			return err
		}
		return w.replaceView(ctx, tx, "sync_log", w.d.SyncLogBody(w.schema))
	})
}

// ReadsLocalFiles marks the warehouse as reading staged local files.
func (w *Warehouse) ReadsLocalFiles() {}

// Dialect is PostgreSQL's SQL.
func (w *Warehouse) Dialect() dialects.Dialect { return w.d }

// Schema is the schema synctrack writes to.
func (w *Warehouse) Schema() string { return w.schema }

// Pool is the connection pool, for tests.
func (w *Warehouse) Pool() *pgxpool.Pool { return w.pool }

// Close closes the pool, then lets the load lock go.
func (w *Warehouse) Close() error {
	w.pool.Close()
	w.unlockLoads()
	return nil
}

func (w *Warehouse) table(name string) string { return w.d.Table(w.schema, name) }

// inTx runs fn in one transaction, committing only if it returns nil. Its
// error carries a class.
func (w *Warehouse) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := w.pool.Begin(ctx)
	if err != nil {
		return classify(err)
	}
	err = fn(tx)
	if err == nil {
		err = w.stillLocked(ctx)
	}
	if err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return classify(err)
	}
	return classify(tx.Commit(ctx))
}

// tracer logs each statement's SQL at debug level: never its arguments,
// where values (and nothing secret: passwords never reach SQL) travel.
type tracer struct{ log *slog.Logger }

func (t tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	t.log.Debug("statement", "sql", d.SQL)
	return ctx
}

func (tracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (t tracer) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceCopyFromStartData) context.Context {
	t.log.Debug("copy", "table", d.TableName.Sanitize(), "columns", len(d.ColumnNames))
	return ctx
}

func (tracer) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}
