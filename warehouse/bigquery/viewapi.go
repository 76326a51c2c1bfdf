package bigquery

import (
	"context"
	"fmt"
	"strings"

	"cloud.google.com/go/bigquery"
)

// putView creates or updates a view through the API from the dialect's
// CREATE OR REPLACE VIEW statement. The emulator fails CREATE OR REPLACE on
// an existing view; replacing the view's query through the API is as atomic
// on BigQuery, and works on both.
func (w *Warehouse) putView(ctx context.Context, name, createView string) error {
	_, body, ok := strings.Cut(createView, " AS\n")
	if !ok {
		return fmt.Errorf("view %s: not a CREATE VIEW statement", name)
	}
	t := w.ds.Table(name)
	md, err := t.Metadata(ctx)
	switch {
	case isNotFound(err):
		err = t.Create(ctx, &bigquery.TableMetadata{ViewQuery: body})
	case err == nil && md.ViewQuery != body:
		_, err = t.Update(ctx, bigquery.TableMetadataToUpdate{ViewQuery: body}, md.ETag)
	}
	return classify(wrap("view "+name, err))
}
