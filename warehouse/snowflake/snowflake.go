// Package snowflake loads Sync Tracking files into Snowflake. Snowflake reads
// the bucket itself through an external stage, so no object passes through
// synctrack: records are copied with COPY INTO (loaded mode) or registered in
// an external table (external mode), and every batch's rows and ledger rows
// change in one explicit transaction.
package snowflake

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

var (
	_ warehouse.Warehouse      = (*Warehouse)(nil)
	_ warehouse.ExternalTables = (*Warehouse)(nil)
	_ warehouse.BucketSetup    = (*Warehouse)(nil)
	_ warehouse.TextReplacer   = (*Warehouse)(nil)
)

// Options tune a Warehouse. The zero value works.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time
	// ReadOnly makes a missing schema read as an empty ledger instead of
	// being created (plan writes nothing).
	ReadOnly bool
}

// Warehouse is one Snowflake schema that synctrack writes to.
type Warehouse struct {
	db       *sql.DB
	d        dialects.Snowflake
	c        Config
	schema   string
	now      func() time.Time
	log      *slog.Logger
	external bool
	channel  string // the external table's notification channel, once AUTO_REFRESH is on
	readOnly bool
	ready    bool // the schema's tables are known to exist
	// countsReady: the counts tables exist and need no backfill (ensureCounts).
	countsReady bool
	seen        map[string]bool // keys the ledger has any row for
	loaded      map[string]bool // keys with a loaded version: their rows are in sync_records
	// described is QueryReadOnly's session, opened on first use (query.go).
	described *sql.DB
}

// Open connects (lazily: the first statement logs in). It creates nothing:
// the tables are made on first use, the stage only by SetUpBucket.
func Open(ctx context.Context, c Config, o Options) (*Warehouse, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	quietDriverLog()
	db := sql.OpenDB(sf.NewConnector(sf.SnowflakeDriver{}, *c.Driver))
	// One session: one login, and BEGIN ... COMMIT on the same connection.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return &Warehouse{db: db, c: c, schema: c.Schema, now: o.Now,
		log: o.Logger.WithGroup("snowflake"), readOnly: o.ReadOnly}, nil
}

// UseExternalTables switches LoadRecords to registering run folders with the
// external table instead of copying rows.
func (w *Warehouse) UseExternalTables() { w.external = true }

// DB is the database handle, for tests.
func (w *Warehouse) DB() *sql.DB { return w.db }

// Dialect is Snowflake's SQL.
func (w *Warehouse) Dialect() dialects.Dialect { return w.d }

// Query runs one read-only statement with :1.. bound to args.
func (w *Warehouse) Query(ctx context.Context, q string, args []warehouse.Arg) (warehouse.Rows, error) {
	w.log.Debug("query", "sql", q)
	rows, err := w.db.QueryContext(ctx, q, bindValues(args)...)
	if err != nil {
		return nil, w.classify(err, q)
	}
	return rows, nil
}

// bindValues are args as the driver takes them. The driver binds a
// time.Time as TIMESTAMP_NTZ unless told otherwise, and Snowflake reads an
// NTZ against the tables' TIMESTAMP_TZ columns in the session's time zone:
// with TIMEZONE= set in the URL, a page's cursor or a template's since
// would move by its offset, and paging repeat or skip rows (an audit, from
// the driver's source; no live Snowflake here to see it). The
// driver's flag before the first time binds it and every time after it as
// TIMESTAMP_TZ, the instant itself; the flag is not a parameter.
func bindValues(args []warehouse.Arg) []any {
	vals := make([]any, 0, len(args)+1)
	flagged := false
	for _, a := range args {
		if _, ok := a.Value.(time.Time); ok && !flagged {
			vals, flagged = append(vals, sf.DataTypeTimestampTz), true
		}
		vals = append(vals, a.Value)
	}
	return vals
}

// Schema is the schema synctrack writes to.
func (w *Warehouse) Schema() string { return w.schema }

// Close ends the session, and QueryReadOnly's if it opened one.
func (w *Warehouse) Close() error {
	if w.described != nil {
		w.described.Close()
	}
	return w.db.Close()
}

func (w *Warehouse) table(name string) string { return w.d.Table(w.schema, name) }

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// exec runs one statement, classifying its error.
func (w *Warehouse) exec(ctx context.Context, q querier, stmt string) error {
	w.log.Debug("statement", "sql", stmt)
	if _, err := q.ExecContext(ctx, stmt); err != nil {
		return w.classify(err, stmt)
	}
	return nil
}

// inTx runs fn in one explicit transaction, committing only if it returns nil.
// No DDL runs inside: Snowflake would commit the transaction there.
func (w *Warehouse) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return w.classify(err, "BEGIN")
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return w.classify(err, "COMMIT")
	}
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// noSecret says the driver refused the DSN for want of a password or token.
func noSecret(err error) bool {
	var se *sf.SnowflakeError
	return errors.As(err, &se) && (se.Number == sf.ErrCodeEmptyPasswordCode || se.Number == sf.ErrCodeEmptyPasswordAndToken)
}

var quietDriver sync.Once

// quietDriverLog turns the driver's own log off. It writes each error it
// meets to stderr through logrus (time="..." level=error msg="..."), before
// synctrack reports the same error classified and with its fix: a second,
// unformatted copy, and a line that is not JSON under --log-format json.
// Its level "OFF" does not reach the entries it logs errors through, so the
// level is logrus's highest, panic, which it logs nothing at. The DSN's
// tracing= sets the driver's level at login, so it still turns its log on
// for whoever asks.
func quietDriverLog() {
	quietDriver.Do(func() { _ = sf.GetLogger().SetLogLevel("panic") })
}
