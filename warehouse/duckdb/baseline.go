package duckdb

import (
	"context"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

var _ warehouse.Baseline = (*Warehouse)(nil)

// BaselineLoad is DuckDB's own bare load of the same files: CREATE TABLE AS
// SELECT * FROM read_parquet(files), no ledger, no per-file columns. It is
// the ceiling `synctrack bench` compares synctrack's load with.
func (w *Warehouse) BaselineLoad(ctx context.Context, files []string) (int64, error) {
	list := make([]string, len(files))
	for i, f := range files {
		list[i] = w.d.String(f)
	}
	table := w.table("_baseline")
	q := "CREATE OR REPLACE TABLE " + table + " AS SELECT * FROM read_parquet([" + strings.Join(list, ", ") + "], union_by_name = true)"
	if _, err := w.exec(ctx, w.db, q); err != nil {
		return 0, classify(err, nil)
	}
	var n int64
	err := w.db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n)
	return n, classify(err, nil)
}
