package bigquery

import (
	"context"
	"fmt"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/dialects"
)

// migratingTable holds sync_records' rows while an unpartitioned table is
// made partitioned; it exists only during a migration (or after one was
// interrupted, which the next open finishes).
const migratingTable = "sync_records_migrating"

// recordsLayout is sync_records' partitioning and clustering: a record page
// (one sync, one run, one status) reads the blocks of that run, and a
// report or retention bounded in time only the days it covers.
func recordsLayout(md *bigquery.TableMetadata, expire time.Duration) *bigquery.TableMetadata {
	md.TimePartitioning = &bigquery.TimePartitioning{Type: bigquery.DayPartitioningType,
		Field: dialects.BigQueryPartitionColumn, Expiration: expire}
	md.Clustering = &bigquery.Clustering{Fields: dialects.BigQueryClusterColumns}
	return md
}

// ensureRecords creates sync_records partitioned and clustered, finishes a
// migration a crash interrupted, and migrates a table made unpartitioned by
// an older synctrack.
func (w *Warehouse) ensureRecords(ctx context.Context, cols []dialects.Column) error {
	t, tmp := w.ds.Table("sync_records"), w.ds.Table(migratingTable)
	md, err := t.Metadata(ctx)
	if err != nil && !isNotFound(err) {
		return classify(fmt.Errorf("table sync_records: %w", err))
	}
	tmd, terr := tmp.Metadata(ctx)
	if terr != nil && !isNotFound(terr) {
		return classify(fmt.Errorf("table %s: %w", migratingTable, terr))
	}
	switch {
	case err != nil && terr == nil: // dropped, not yet made again
		return w.finishMigration(ctx, tmd.Schema, false)
	case err != nil:
		if err := t.Create(ctx, recordsLayout(&bigquery.TableMetadata{Schema: schemaOf(cols)}, 0)); err != nil && !isAlreadyExists(err) {
			return classify(fmt.Errorf("create table sync_records: %w", err))
		}
		return nil
	case md.TimePartitioning != nil && terr == nil: // made again; its rows may not be back yet
		return w.finishMigration(ctx, tmd.Schema, true)
	case md.TimePartitioning != nil:
		return nil
	}
	return w.migrate(ctx, md.Schema)
}

// migrate moves an unpartitioned sync_records into a partitioned one.
// BigQuery cannot partition a table in place, nor replace a table by one
// partitioned otherwise (CREATE OR REPLACE refuses a new partitioning), so
// the rows go to a partitioned copy, the table is made again, and they come
// back: two reads of the table, once. Every step is an API call or one
// INSERT, each whole or not at all, and the next open resumes from the
// tables it finds.
func (w *Warehouse) migrate(ctx context.Context, schema bigquery.Schema) error {
	w.log.Info("migrating sync_records to day partitions by batch_started_at, clustered by sync, run and status: the table is read twice, once")
	tmp := w.ds.Table(migratingTable)
	if err := tmp.Create(ctx, recordsLayout(&bigquery.TableMetadata{Schema: schema}, 0)); err != nil {
		return classify(fmt.Errorf("migrate sync_records: create %s: %w", migratingTable, err))
	}
	if err := w.query(ctx, "INSERT INTO "+w.table(migratingTable)+" SELECT * FROM "+w.table("sync_records")); err != nil {
		_ = tmp.Delete(ctx) // nothing moved yet: the next open starts again
		return fmt.Errorf("migrate sync_records: copy its rows: %w", err)
	}
	if err := w.ds.Table("sync_records").Delete(ctx); err != nil {
		return classify(fmt.Errorf("migrate sync_records: drop the unpartitioned table: %w", err))
	}
	return w.finishMigration(ctx, schema, false)
}

// finishMigration makes sync_records partitioned (unless made) and moves
// the rows back from the migrating table, then drops it.
func (w *Warehouse) finishMigration(ctx context.Context, schema bigquery.Schema, made bool) error {
	t := w.ds.Table("sync_records")
	if !made {
		if err := t.Create(ctx, recordsLayout(&bigquery.TableMetadata{Schema: schema}, 0)); err != nil && !isAlreadyExists(err) {
			return classify(fmt.Errorf("migrate sync_records: create it partitioned: %w", err))
		}
	}
	var n int64
	if err := w.read(ctx, "SELECT COUNT(*) FROM "+w.table("sync_records"), func(r []bigquery.Value) error {
		n = i64(r[0])
		return nil
	}); err != nil {
		return err
	}
	if n == 0 { // rows not back yet (a table that had rows again has them all: one INSERT)
		if err := w.query(ctx, "INSERT INTO "+w.table("sync_records")+" SELECT * FROM "+w.table(migratingTable)); err != nil {
			return fmt.Errorf("migrate sync_records: copy its rows back: %w", err)
		}
	}
	if err := w.ds.Table(migratingTable).Delete(ctx); err != nil && !isNotFound(err) {
		return classify(fmt.Errorf("migrate sync_records: drop %s: %w", migratingTable, err))
	}
	return nil
}
