package duckdb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

// QueryReadOnly runs a person's statement. The guarantee is DuckDB's own: a
// database opened with access_mode=read_only refuses every write to it
// (INSERT, CREATE, DROP, ...: "Cannot execute statement of type INSERT on
// database ... which is attached in read-only mode!"), and a database it
// ATTACHes is read-only too, so no statement is inspected here. Files
// outside the database are closed to it as well: with external access off
// (and the configuration locked, so the statement cannot turn it back on),
// COPY ... TO cannot write a file nor read_csv read one. That holds for
// the rest of this warehouse's life: open one per statement, as synctrack
// query does. A warehouse opened for writing runs none, nor a Readers'
// handle (its instance is shared).
func (w *Warehouse) QueryReadOnly(ctx context.Context, q string) (warehouse.Rows, error) {
	if !w.readOnly || w.shared {
		return nil, warehouse.Wrap(errors.New("duckdb: a person's statement runs only on a database opened read-only"),
			warehouse.Config, "not_read_only", "")
	}
	for _, s := range []string{"SET enable_external_access = false", "SET lock_configuration = true"} {
		if _, err := w.db.ExecContext(ctx, s); err != nil {
			return nil, classify(fmt.Errorf("%s: %w", s, err), nil)
		}
	}
	n, err := countStatements(q)
	switch {
	case err != nil:
		return nil, warehouse.RefusedQuery("DuckDB", err)
	case n > 1:
		return nil, warehouse.SeveralStatements("DuckDB", n)
	}
	rows, err := w.Query(ctx, q, nil)
	var e *warehouse.Error
	switch {
	case errors.As(err, &e) && e.Reason == "read_only":
		// The errors table's hint (open the file writable) is for loads.
		return nil, warehouse.NotReadOnly("DuckDB", e.Err.Error())
	case err != nil && strings.Contains(err.Error(), "disabled by configuration"):
		// Whatever rule the message matched (a read_parquet is "parquet",
		// a data rule), it is the statement reaching for a file.
		says := err.Error()
		if errors.As(err, &e) {
			says = e.Err.Error()
		}
		return nil, warehouse.NoFileAccess("DuckDB", says)
	}
	return rows, warehouse.RefusedQuery("DuckDB", err)
}
