package duckdb

import (
	"errors"

	"github.com/duckdb/duckdb-go/v2/mapping"
)

// countStatements is how many statements DuckDB's own parser reads in q: a
// ';' inside a string literal, a quoted name or a comment ends nothing, and
// empty statements (a trailing ';') are none. The driver runs every
// statement of a query but the last unseen, so synctrack query counts them
// first. The parser needs no database: it runs on an in-memory instance of
// its own (about a millisecond), as the driver keeps its connection's
// handle to itself. A statement it cannot parse is the parser's error.
func countStatements(q string) (int, error) {
	var db mapping.Database
	if mapping.Open(":memory:", &db) == mapping.StateError {
		return 0, errors.New("duckdb: open an in-memory database to parse the statement")
	}
	defer mapping.Close(&db)
	var conn mapping.Connection
	if mapping.Connect(db, &conn) == mapping.StateError {
		return 0, errors.New("duckdb: connect to parse the statement")
	}
	defer mapping.Disconnect(&conn)
	var stmts mapping.ExtractedStatements
	n := mapping.ExtractStatements(conn, q, &stmts)
	defer mapping.DestroyExtracted(&stmts)
	if n == 0 {
		if msg := mapping.ExtractStatementsError(stmts); msg != "" {
			return 0, errors.New(msg)
		}
	}
	return int(n), nil
}
