package bigquery

import (
	"context"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Engine describes BigQuery for the registry.
func Engine() warehouse.Engine {
	return warehouse.Engine{
		Name:    "bigquery",
		Schemes: []string{"bigquery"},
		Example: "bigquery://PROJECT/DATASET?location=US",
		Dialect: dialects.BigQuery{},
		Check:   func(raw string) error { _, err := ParseURL(raw); return err },
		Open:    open,
		// External mode and path=query read the bucket from BigQuery.
		CheckBucket: checkBucket,
		CheckSchema: checkSchema,
		Sample:      (*Warehouse)(nil),
	}
}

// open reads the URL and connects; credentials come from credentials_file=
// or Application Default Credentials. BigQuery's loads read the bucket
// being loaded, so it is handed over.
func open(ctx context.Context, raw string, o warehouse.Options) (warehouse.Warehouse, error) {
	c, err := ParseURL(raw)
	if err != nil {
		return nil, warehouse.Wrap(err, warehouse.Config, "bad_url", "")
	}
	c.Bucket, c.BucketURL, c.ReadOnly, c.Logger = o.Bucket, o.BucketURL, o.ReadOnly, o.Logger
	w, err := Open(ctx, c, o.Now)
	if err != nil {
		return nil, err
	}
	return w, nil
}
