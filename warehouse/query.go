package warehouse

import (
	"context"
	"errors"
	"fmt"
)

// ReadOnlyQuerier runs a statement a person wrote (synctrack query) and makes
// sure, by the engine's own means and never by reading the SQL text, that it
// changes nothing in the warehouse:
//
//   - DuckDB opens the database file read-only (access_mode=read_only), so
//     the engine itself refuses every write.
//   - Snowflake has no read-only session: it describes the statement first
//     (compiled, not run) and runs it only if Snowflake calls it a query.
//   - BigQuery dry-runs the statement first and runs it only if the dry run's
//     statementType is SELECT.
//   - PostgreSQL describes the statement first and runs it only if it
//     returns rows (COPY and DO run in a read-only transaction), in a
//     READ ONLY transaction rolled back after; the server refuses every
//     write inside it.
//
// An engine with no such means does not implement this interface, and
// synctrack query refuses to run there rather than trust the SQL.
type ReadOnlyQuerier interface {
	// QueryReadOnly runs sql, which has no bind parameters, and returns its
	// rows. A statement the engine says could write is refused before it runs
	// with an error that wraps ErrNotReadOnly (class Config). Close the rows
	// when done.
	QueryReadOnly(ctx context.Context, sql string) (Rows, error)
}

// ErrNotReadOnly is a statement refused by a ReadOnlyQuerier.
var ErrNotReadOnly = errors.New("not a read-only query")

// NotReadOnly is the error for a statement the engine refused or described
// as a write; says is the engine's own word for it ("statementType INSERT").
func NotReadOnly(engine, says string) error {
	return &Error{Class: Config, Reason: "not_read_only",
		Hint: "synctrack query runs queries only; synctrack load changes the warehouse",
		Err:  fmt.Errorf("%w: %s says %s", ErrNotReadOnly, engine, says)}
}
