package duckdb

import (
	"context"
	"fmt"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

var _ warehouse.SchemaFinder = (*Warehouse)(nil)

// FindSchema looks the schema up in the file's own catalog; DuckDB's
// internal schemas (main, information_schema, ...) are found but not listed.
func (w *Warehouse) FindSchema(ctx context.Context) (bool, []string, error) {
	rows, err := w.query(ctx, w.db, `SELECT schema_name, internal FROM duckdb_schemas()
		WHERE database_name = current_database() ORDER BY schema_name`)
	if err != nil {
		return false, nil, classify(fmt.Errorf("list schemas: %w", err), nil)
	}
	defer rows.Close()
	found := false
	var own []string
	for rows.Next() {
		var name string
		var internal bool
		if err := rows.Scan(&name, &internal); err != nil {
			return false, nil, classify(fmt.Errorf("list schemas: %w", err), nil)
		}
		found = found || strings.EqualFold(name, w.schema) // DuckDB names are case-insensitive
		if !internal {
			own = append(own, name)
		}
	}
	if err := rows.Err(); err != nil {
		return false, nil, classify(fmt.Errorf("list schemas: %w", err), nil)
	}
	return found, own, nil
}
