package bigquery

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/dialects"
)

// setup creates the dataset and every table that is missing, through the API:
// an existing one is kept as it is, but for columns synctrack's own definition
// gained since it was made (addOwnColumns); columns a file brings are added by loads.
func (w *Warehouse) setup(ctx context.Context) error {
	if _, err := w.ds.Metadata(ctx); err != nil {
		if !isNotFound(err) {
			return classify(fmt.Errorf("dataset %s: %w", w.c.Dataset, err))
		}
		if err := w.ds.Create(ctx, &bigquery.DatasetMetadata{Location: w.c.Location}); err != nil && !isAlreadyExists(err) {
			return classify(fmt.Errorf("create dataset %s: %w", w.c.Dataset, err))
		}
	}
	tables := dialects.BigQueryTables()
	if w.c.Mode == "external" {
		delete(tables, "sync_records") // a view over the external table
	}
	names := make([]string, 0, len(tables))
	for n := range tables {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := w.ensureTable(ctx, n, tables[n]); err != nil {
			return err
		}
	}
	if w.c.Mode == "external" {
		prefix, err := w.externalPrefix()
		if err != nil {
			return err
		}
		ddl := w.d.ExternalRecords(w.c.Dataset, prefix, w.c.Connection)
		if err := w.query(ctx, ddl[0]); err != nil {
			return fmt.Errorf("external table over %s: %w", prefix, err)
		}
		if err := w.putView(ctx, "sync_records", ddl[1]); err != nil {
			return err
		}
	}
	if err := w.putView(ctx, "sync_log", w.d.SyncLogView(w.c.Dataset)); err != nil {
		return err
	}
	return w.backfillCounts(ctx)
}

func (w *Warehouse) ensureTable(ctx context.Context, name string, cols []dialects.Column) error {
	if name == "sync_records" {
		return w.ensureRecords(ctx, cols)
	}
	t := w.ds.Table(name)
	if md, err := t.Metadata(ctx); err == nil {
		return w.addOwnColumns(ctx, name, md.Schema, cols)
	} else if !isNotFound(err) {
		return classify(fmt.Errorf("table %s: %w", name, err))
	}
	if err := t.Create(ctx, &bigquery.TableMetadata{Schema: schemaOf(cols)}); err != nil && !isAlreadyExists(err) {
		return classify(fmt.Errorf("create table %s: %w", name, err))
	}
	return nil
}

// addOwnColumns adds the columns of cols that an existing table lacks, as
// sync_runs' run state columns (state, completed_at) to a table made before
// the daemon had them: one ALTER TABLE, only when one is missing. (The
// emulator reports ALTER TABLE ADD COLUMN done but never adds the column; it
// only ever sees tables made with every column, so it never gets here.)
func (w *Warehouse) addOwnColumns(ctx context.Context, name string, have bigquery.Schema, cols []dialects.Column) error {
	got := map[string]bool{}
	for _, f := range have {
		got[strings.ToLower(f.Name)] = true
	}
	var adds []string
	for _, c := range cols {
		if !got[strings.ToLower(c.Name)] {
			adds = append(adds, "ADD COLUMN IF NOT EXISTS "+w.d.Ident(c.Name)+" "+c.Type)
		}
	}
	if len(adds) == 0 || name == "sync_records" { // sync_records' columns are the loads' to add
		return nil
	}
	if err := w.query(ctx, "ALTER TABLE "+w.table(name)+" "+strings.Join(adds, ", ")); err != nil {
		return fmt.Errorf("add columns to %s: %w", name, err)
	}
	return nil
}

// externalPrefix is the bucket URL external tables read: gs://bucket, or
// s3://bucket through an Omni connection.
func (w *Warehouse) externalPrefix() (string, error) {
	c := w.c
	c.Mode = "external"
	if err := readable(c, w.c.BucketURL); err != nil {
		return "", err
	}
	u, _ := url.Parse(w.c.BucketURL)
	if u.Host == "" {
		return "", fmt.Errorf("external mode needs the bucket URL, got %q", w.c.BucketURL)
	}
	return u.Scheme + "://" + u.Host + "/", nil
}

// bqTypes maps dialect type names to the API's field types.
var bqTypes = map[string]bigquery.FieldType{
	"STRING": bigquery.StringFieldType, "JSON": bigquery.JSONFieldType,
	"TIMESTAMP": bigquery.TimestampFieldType, "DATETIME": bigquery.DateTimeFieldType,
	"DATE": bigquery.DateFieldType, "TIME": bigquery.TimeFieldType,
	"INT64": bigquery.IntegerFieldType, "FLOAT64": bigquery.FloatFieldType,
	"BOOL": bigquery.BooleanFieldType, "BYTES": bigquery.BytesFieldType,
	"NUMERIC": bigquery.NumericFieldType, "BIGNUMERIC": bigquery.BigNumericFieldType,
}

func schemaOf(cols []dialects.Column) bigquery.Schema {
	s := make(bigquery.Schema, len(cols))
	for i, c := range cols {
		s[i] = &bigquery.FieldSchema{Name: c.Name, Type: bqTypes[c.Type]}
	}
	return s
}
