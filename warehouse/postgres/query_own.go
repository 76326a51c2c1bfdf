package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

var _ warehouse.ReadOnlyQuerier = (*Warehouse)(nil)

// QueryReadOnly runs a person's statement as Query runs the pages': in a
// READ ONLY transaction, where PostgreSQL refuses every write to the
// database (25006), and through the extended protocol, which takes one
// statement only (pgx prepares it: "cannot insert multiple commands into a
// prepared statement"). The transaction is rolled back when the rows are
// closed, so a SET in it ends with it. What it does not stop is what the
// URL's role may do beyond the database's tables: reading server files
// (pg_read_server_files), signalling backends (superuser). Give synctrack
// query a role without those (README, "Query it").
func (w *Warehouse) QueryReadOnly(ctx context.Context, q string) (warehouse.Rows, error) {
	rs, err := w.Query(ctx, q, nil)
	if err != nil {
		return nil, ownError(err)
	}
	// A write is refused as it runs, so its error comes with the rows.
	return ownRows{rs.(*rows)}, nil
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
