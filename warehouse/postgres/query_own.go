package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/synctrack/synctrack/internal/sqllex"
	"github.com/synctrack/synctrack/warehouse"
)

var _ warehouse.ReadOnlyQuerier = (*Warehouse)(nil)

// QueryReadOnly runs a person's statement as Query runs the pages': in a
// READ ONLY transaction, where PostgreSQL refuses every write to the
// database (25006), and through the extended protocol, which takes one
// statement only (pgx prepares it: "cannot insert multiple commands into a
// prepared statement"). The transaction is rolled back when the rows are
// closed, so a SET in it ends with it.
//
// A read-only transaction still runs COPY ... TO a server file or PROGRAM,
// and DO, LOAD and CHECKPOINT, none of which writes a table, and COPY TO
// STDOUT gave no rows and exit 0. So the statement is described first
// (parsed, not run) and runs only if PostgreSQL says it returns rows, as
// Snowflake's is. What this does not stop is what the URL's role may do
// through a function a SELECT calls: reading server files
// (pg_read_server_files), signalling backends (superuser). Give synctrack
// query a role without those (README, "Query it").
func (w *Warehouse) QueryReadOnly(ctx context.Context, q string) (warehouse.Rows, error) {
	if err := w.describesRows(ctx, q); err != nil {
		return nil, ownError(err)
	}
	rs, err := w.Query(ctx, q, nil)
	if err != nil {
		return nil, ownError(err)
	}
	// A write is refused as it runs, so its error comes with the rows.
	return ownRows{rs.(*rows)}, nil
}

// describesRows refuses a statement PostgreSQL describes as returning no
// rows (NoData: COPY, DO, LOAD, DELETE without RETURNING, ...). A SELECT of
// no columns is described with rows, an empty RowDescription, and runs.
func (w *Warehouse) describesRows(ctx context.Context, q string) error {
	conn, err := w.pool.Acquire(ctx)
	if err != nil {
		return classify(err)
	}
	defer conn.Release()
	// The unnamed statement: parsed and described, never executed, and
	// replaced by the next one.
	sd, err := conn.Conn().Prepare(ctx, "", q)
	if err != nil {
		return classify(err)
	}
	if sd.Fields != nil {
		return nil
	}
	return &warehouse.Error{Class: warehouse.Config, Reason: "not_read_only",
		Hint: "synctrack query runs a statement that returns rows (SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN); " +
			"COPY, DO and the like act beyond the read-only transaction it runs in",
		Err: fmt.Errorf("%w: PostgreSQL describes %s as returning no rows", warehouse.ErrNotReadOnly, firstWord(q))}
}

// firstWord names the statement in an error: its first word, upper-cased,
// comments and spaces before it skipped.
func firstWord(q string) string {
	toks, err := sqllex.Lex("postgres", q)
	if err != nil || len(toks) == 0 || toks[0].Kind != sqllex.Word {
		return "the statement"
	}
	return strings.ToUpper(toks[0].Text)
}

// ownRows are the rows of a person's statement: their errors are worded
// for it (ownError), not for synctrack's own SQL.
type ownRows struct{ *rows }

func (r ownRows) Err() error   { return ownError(r.rows.Err()) }
func (r ownRows) Close() error { return ownError(r.rows.Close()) }

// ownError is err from a person's statement as synctrack query says it: a
// write refused, several statements, else the engine refusing the query.
func ownError(err error) error {
	if err == nil {
		return nil
	}
	var e *warehouse.Error
	switch {
	case errors.As(err, &e) && e.Reason == "read_only":
		return warehouse.NotReadOnly("PostgreSQL", e.Err.Error())
	case errors.As(err, &e) && (e.Reason == "not_found" || e.Reason == "bad_object"):
		// A table the statement names, or data it trips on: the query's,
		// not a schema to load (the table's hint) nor an object to retry.
		return warehouse.RefusedQuery("PostgreSQL", e.Err)
	case code(err) == "42601" && strings.Contains(err.Error(), "multiple commands"):
		return &warehouse.Error{Class: warehouse.Config, Reason: "several_statements",
			Hint: "synctrack query runs one statement: run each on its own",
			Err:  fmt.Errorf("%w: PostgreSQL says %w", warehouse.ErrSeveralStatements, err)}
	}
	return warehouse.RefusedQuery("PostgreSQL", err)
}
