// Package duckdb is the embedded warehouse: a DuckDB database file that needs no
// server. It reads staged parquet files with DuckDB's own reader, many files per
// statement, and keeps each batch's rows and ledger rows in one transaction.
package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/internal/cputime"
	"github.com/synctrack/synctrack/warehouse"
)

// Warehouse is a DuckDB database file holding one synctrack schema.
type Warehouse struct {
	db     *sql.DB
	conn   *duckdb.Connector
	d      dialects.DuckDB
	schema string
	path   string
	now    func() time.Time
	log    *slog.Logger
	// readOnly: opened with access_mode=read_only, so DuckDB refuses writes.
	readOnly bool
	// shared: a Readers' handle, on an engine instance other requests use.
	shared bool
	// release lets this process's hold on the file go (holdInstance).
	release func()
	// detach lets the file go from the pages' instance a load of this
	// process used (Readers.openWriter); nil for a file opened alone.
	detach func() error
	// noCounts: loads write no counts (SkipCounts; bench only).
	noCounts bool
	// prep groups staged files' counts ahead of their load (prepare.go).
	prep preparer
	// memoryLimit is Config.MemoryLimit of a writer, set back after each
	// records batch evicts the buffer pool (blocks.go); "" for a reader.
	memoryLimit string
	// evicting is held while memory_limit is down for an eviction, and by
	// what another goroutine runs beside a load (the daemon's lease
	// renewal), which 1MB of memory could fail.
	evicting sync.Mutex
}

var (
	_ warehouse.Warehouse       = (*Warehouse)(nil)
	_ warehouse.LocalReader     = (*Warehouse)(nil)
	_ warehouse.ReadOnlyQuerier = (*Warehouse)(nil)
	_ warehouse.CountsSkipper   = (*Warehouse)(nil)
	_ warehouse.RecordsPreparer = (*Warehouse)(nil)
)

// ReadsLocalFiles marks DuckDB as reading staged local files.
func (w *Warehouse) ReadsLocalFiles() {}

// DB is the database, for tests.
func (w *Warehouse) DB() *sql.DB { return w.db }

// Dialect is DuckDB's SQL.
func (w *Warehouse) Dialect() dialects.Dialect { return w.d }

// Query runs one read-only statement with $1.. bound to args. JSON columns
// come as their stored text (jsonAsText).
func (w *Warehouse) Query(ctx context.Context, q string, args []warehouse.Arg) (warehouse.Rows, error) {
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	text, isJSON := jsonAsText(ctx, w.db, q)
	rows, err := w.query(ctx, w.db, text, vals...)
	if err == nil && isJSON != nil {
		return jsonRows{rows: rows, isJSON: isJSON}, nil
	}
	if err != nil {
		return nil, classify(err, nil)
	}
	return rows, nil
}

// Schema is the schema synctrack writes to.
func (w *Warehouse) Schema() string { return w.schema }

// Close closes the database; a Readers' handle is let go by its release
// func instead, and its Close does nothing.
func (w *Warehouse) Close() error {
	if w.shared {
		return nil
	}
	w.prep.close()
	var err error
	if w.detach != nil {
		err = w.detach() // the pages' instance keeps the connection
	} else {
		err = errors.Join(w.db.Close(), w.conn.Close())
	}
	w.release()
	return err
}

func (w *Warehouse) table(name string) string { return w.d.Table(w.schema, name) }

// execer and queryer are what *sql.DB and *sql.Tx share.
type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// exec runs one statement, logged at debug level: every statement DuckDB is
// sent goes through here or query.
func (w *Warehouse) exec(ctx context.Context, on execer, stmt string, args ...any) (sql.Result, error) {
	w.log.Debug("statement", "sql", stmt)
	start, cpu := time.Now(), cputime.Process()
	res, err := on.ExecContext(ctx, stmt, args...)
	w.log.Debug("statement done", "elapsed", time.Since(start), "cpu", cputime.Process()-cpu)
	return res, err
}

// query runs one query, logged at debug level.
func (w *Warehouse) query(ctx context.Context, on queryer, q string, args ...any) (*sql.Rows, error) {
	w.log.Debug("query", "sql", q)
	return on.QueryContext(ctx, q, args...)
}

// inTx runs fn in one transaction, committing only if it returns nil. Its
// error carries a class; a data error names the files of the batch it is
// about, when DuckDB's message names them.
func (w *Warehouse) inTx(ctx context.Context, files []warehouse.File, fn func(tx *sql.Tx) error) error {
	return w.inConnTx(ctx, files, func(_ *sql.Conn, tx *sql.Tx) error { return fn(tx) })
}

// inConnTx is inTx that also gives fn the connection the transaction is
// on, whose driver connection an Appender needs (its rows are part of the
// transaction).
func (w *Warehouse) inConnTx(ctx context.Context, files []warehouse.File, fn func(conn *sql.Conn, tx *sql.Tx) error) error {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return classify(err, nil)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return classify(err, nil)
	}
	// Runs before conn.Close: a Tx left open (fn panicked) holds the Conn,
	// whose Close would wait for it forever. A no-op after Commit.
	defer tx.Rollback()
	if err := fn(conn, tx); err != nil {
		_ = tx.Rollback()
		return classify(err, files)
	}
	start := time.Now()
	err = tx.Commit()
	w.log.Debug("commit done", "elapsed", time.Since(start))
	return classify(err, nil)
}
