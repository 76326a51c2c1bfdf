package warehouse

import "context"

// SchemaFinder is a warehouse that tells cheaply whether its schema is in
// the database, so a reader opened on one that is not there (a misspelt
// ?schema=, a database file no load made) says so at once, rather than as
// a missing table of synctrack's own SQL (on the pages, a 503 for ever).
// DuckDB and PostgreSQL implement it. Snowflake and BigQuery answer a
// missing schema or dataset with their own not-found errors.
type SchemaFinder interface {
	// FindSchema says whether Schema() is in the database, and lists the
	// database's schemas of its own (the engine's left out) for the error
	// when it is not.
	FindSchema(ctx context.Context) (found bool, schemas []string, err error)
}
