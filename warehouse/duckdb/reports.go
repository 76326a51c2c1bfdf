package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	analysis "github.com/synctrack/synctrack/sql"
)

// InstallViews creates or replaces one view per analysis template that needs
// no parameters, named as the template, so BI tools see run_summary,
// rejections_by_fingerprint and the rest without pasting SQL. It returns the
// view names. Loads do the same through RefreshViews.
func (w *Warehouse) InstallViews(ctx context.Context) ([]string, error) {
	var names []string
	err := w.inTx(ctx, nil, func(tx *sql.Tx) error {
		var err error
		names, err = w.installViews(ctx, tx)
		return err
	})
	return names, err
}

// installViews is a few CREATE OR REPLACE VIEW statements: cheap enough to
// run on every load, and it keeps the views in step with the binary.
func (w *Warehouse) installViews(ctx context.Context, tx *sql.Tx) ([]string, error) {
	vs, err := analysis.Views(w.d, w.schema)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(vs))
	for i, v := range vs {
		q := "CREATE OR REPLACE VIEW " + w.table(v.Name) + " AS\n" + v.Body
		if _, err := w.exec(ctx, tx, q); err != nil {
			return nil, fmt.Errorf("view %s: %w", v.Name, err)
		}
		names[i] = v.Name
	}
	return names, nil
}
