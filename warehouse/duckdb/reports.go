package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	analysis "github.com/synctrack/synctrack/sql"
)

// InstallReportViews creates or replaces one view per analysis template that
// needs no parameters (package sql), named as the template, so BI tools see
// run_summary, rejections_by_fingerprint and the rest without pasting SQL.
// It returns the view names. Loads do the same through RefreshViews.
func (w *Warehouse) InstallReportViews(ctx context.Context) ([]string, error) {
	var names []string
	err := w.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		names, err = w.installReportViews(ctx, tx)
		return err
	})
	return names, err
}

// installReportViews is a few CREATE OR REPLACE VIEW statements: cheap enough
// to run on every load, and it keeps the views in step with the binary.
func (w *Warehouse) installReportViews(ctx context.Context, tx *sql.Tx) ([]string, error) {
	ts, err := analysis.List(w.d.Name())
	if err != nil {
		return nil, err
	}
	var names []string
	for _, t := range ts {
		if !t.View {
			continue
		}
		body, err := analysis.Render(w.d, w.schema, t.Name, nil)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "CREATE OR REPLACE VIEW "+w.table(t.Name)+" AS\n"+body); err != nil {
			return nil, fmt.Errorf("view %s: %w", t.Name, err)
		}
		names = append(names, t.Name)
	}
	return names, nil
}
