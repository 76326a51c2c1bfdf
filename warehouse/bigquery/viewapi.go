package bigquery

import (
	"context"
	"fmt"
	"net/http"
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
	var err error
	// Another writer (a second daemon, a person) may change the view
	// between the read and the write: the update's ETag no longer matches
	// (412) or the view was made meanwhile (409). Read it again and retry.
	for range viewRaceTries {
		var md *bigquery.TableMetadata
		md, err = t.Metadata(ctx)
		switch {
		case isNotFound(err):
			err = t.Create(ctx, &bigquery.TableMetadata{ViewQuery: body})
		case err == nil && md.ViewQuery != body:
			_, err = t.Update(ctx, bigquery.TableMetadataToUpdate{ViewQuery: body}, md.ETag)
		}
		if !isRace(err) {
			break
		}
	}
	return classify(wrap("view "+name, err))
}

// viewRaceTries is how often putView writes a view another writer keeps
// changing under it.
const viewRaceTries = 3

// isRace says a write lost to another writer's: a precondition (ETag) that
// failed, or a table made since it was looked for.
func isRace(err error) bool {
	_, c := reason(err)
	return c == http.StatusPreconditionFailed || isAlreadyExists(err)
}
