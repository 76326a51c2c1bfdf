package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/synctrack/synctrack/warehouse"
)

var _ warehouse.SchemaFinder = (*Warehouse)(nil)

// FindSchema looks the schema up in pg_namespace (names are compared
// exactly: synctrack quotes them); PostgreSQL's own schemas (pg_*,
// information_schema) and public are found but not listed. A reader
// opened on a schema no load has made (a misspelt ?schema=) is refused
// at start, as on DuckDB, rather than answering every page with a
// missing table.
func (w *Warehouse) FindSchema(ctx context.Context) (bool, []string, error) {
	rows, err := w.pool.Query(ctx, `SELECT nspname FROM pg_namespace
WHERE nspname NOT LIKE 'pg\_%' AND nspname NOT IN ('information_schema', 'public') OR nspname = $1
ORDER BY nspname`, w.schema)
	if err != nil {
		return false, nil, classify(fmt.Errorf("list schemas: %w", err))
	}
	found := false
	var own []string
	var name string
	if _, err := pgx.ForEachRow(rows, []any{&name}, func() error {
		found = found || name == w.schema
		own = append(own, name)
		return nil
	}); err != nil {
		return false, nil, classify(fmt.Errorf("list schemas: %w", err))
	}
	return found, own, nil
}
