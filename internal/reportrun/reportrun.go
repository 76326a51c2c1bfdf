// Package reportrun runs one analysis template on a warehouse and streams its
// rows to an exporter: what synctrack report and records share, and the web
// pages. Every engine answers through warehouse.Querier, in its own dialect,
// with the template's parameters bound, never pasted into the SQL.
package reportrun

import (
	"context"
	"errors"
	"fmt"
	"strings"

	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
)

// BindError is a template that cannot be bound with the values given: the
// caller's mistake, not the warehouse's.
type BindError struct{ Err error }

func (e *BindError) Error() string { return e.Err.Error() }
func (e *BindError) Unwrap() error { return e.Err }

// Run binds template name in wh's dialect with v, runs it on wh and streams
// the rows to ew, which it closes. It returns the row count.
func Run(ctx context.Context, wh warehouse.Querier, name string, v analysis.Values, ew export.Writer) (int64, error) {
	q, err := analysis.Bind(wh.Dialect(), wh.Schema(), name, v)
	if err != nil {
		return 0, &BindError{err}
	}
	rs, err := Query(ctx, wh, q)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, refused(ctx, err))
	}
	defer rs.Close()
	n, err := export.Stream(rs, ew)
	if err != nil {
		return n, fmt.Errorf("%s: %w", name, err)
	}
	return n, nil
}

// Query runs a bound template on wh, its arguments bound by the engine.
func Query(ctx context.Context, wh warehouse.Querier, q analysis.Query) (warehouse.Rows, error) {
	return wh.Query(ctx, q.SQL, Args(q))
}

// Args are a bound template's arguments, as the engines take them.
func Args(q analysis.Query) []warehouse.Arg {
	args := make([]warehouse.Arg, len(q.Args))
	for i, a := range q.Args {
		args[i] = warehouse.Arg{Name: a.Name, Value: a.Value}
	}
	return args
}

// staleHint is what a template refused by the warehouse most likely means.
const staleHint = "the warehouse refused synctrack's SQL: one loaded by an older synctrack gets this one's views " +
	"(sync_log, the templates') from synctrack views or its next load; else a table or view was changed by hand, " +
	"or it is a bug: please report it with this message"

// refused is err, from running a template, with what it most likely means
// when it is the engine refusing synctrack's SQL for a name it does not
// know (DuckDB's "Binder Error: ... does not have a column named _row"):
// a view the template reads is older than the binary (sync_log gained
// _row), which will not pass by itself (exit 2, not 3) and synctrack views
// mends. Any other error keeps its class: an error no table knew may pass
// by itself (BigQuery's jobInternalError, a 400 whose remedy is to retry),
// as may a warehouse away or full, and a command stopped (Ctrl-C, a
// deadline) is that (found by a review).
func refused(ctx context.Context, err error) error {
	var e *warehouse.Error
	classified := errors.As(err, &e)
	switch {
	case ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return err
	case classified && e.Class == warehouse.Config && e.Reason == "sql",
		(!classified || e.Class == warehouse.Unclassified) && unknownName(err.Error()):
		inner := err
		if classified && e == err {
			inner = e.Err // the engine's words, without the hint for loads
		}
		return &warehouse.Error{Class: warehouse.Config, Reason: "sql", Hint: staleHint, Err: inner}
	}
	return err
}

// unknownNameWords are how each engine says a statement names a table,
// view or column it does not have: DuckDB's binder and catalog, PostgreSQL's
// SQLSTATE class 42 (syntax error or access rule: 42703 undefined column,
// 42P01 undefined table), Snowflake's invalid identifier (000904) and
// missing object (002003), BigQuery's unrecognized name and missing table.
var unknownNameWords = []string{"binder error", "catalog error", "(sqlstate 42", "invalid identifier",
	"does not exist or not authorized", "unrecognized name", "not found: table"}

// unknownName says whether an engine's message is one of unknownNameWords.
func unknownName(msg string) bool {
	msg = strings.ToLower(msg)
	for _, w := range unknownNameWords {
		if strings.Contains(msg, w) {
			return true
		}
	}
	return false
}
