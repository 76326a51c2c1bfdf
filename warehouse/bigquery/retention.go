package bigquery

import (
	"context"
	"fmt"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Expire applies retention (see warehouse.Warehouse). sync_records is
// partitioned by day of batch_started_at, and its partition expiration is
// set to the retention plus one day: BigQuery drops a day's partition by
// itself at the partition's start plus the expiration, so rows go even
// when no load runs. The day more lets each load's own pass get there first:
// one script, one transaction, which deletes the rows before the cutoff
// (whole partitions), marks the files left without rows expired in the
// ledger and deletes their per-file rows. A partition BigQuery dropped
// first (no load for a whole day) leaves its files loaded in the ledger:
// still never loaded again, but not counted as expired. Without retention
// the pass only takes an expiration away, so no row is dropped after
// retention is turned off.
func (w *Warehouse) Expire(ctx context.Context, r warehouse.Retention) (warehouse.Expired, error) {
	if w.c.Mode == "external" {
		if r.Days <= 0 {
			return warehouse.Expired{}, nil
		}
		return warehouse.Expired{}, warehouse.ExternalRetention()
	}
	var keep time.Duration
	if r.Days > 0 {
		keep = time.Duration(r.Days+1) * 24 * time.Hour
	}
	if err := w.partitionExpiration(ctx, keep); err != nil || r.Days <= 0 {
		return warehouse.Expired{}, err
	}
	s := dialects.Expire(w.d, w.c.Dataset, r.Cutoff, r.Note())
	var out warehouse.Expired
	err := w.read(ctx, "SELECT COUNT(*) FROM "+w.table("sync_records")+" WHERE "+w.d.Ident("batch_started_at")+" < @cutoff",
		func(row []bigquery.Value) error {
			out.Rows = i64(row[0])
			return nil
		}, bigquery.QueryParameter{Name: "cutoff", Value: r.Cutoff})
	if err != nil || out.Rows == 0 {
		return out, wrap("retention", err)
	}
	out.Files, err = w.script(ctx, w.d.ExpireScript(w.c.Dataset, s, r.Note()))
	return out, wrap("retention", err)
}

// partitionExpiration sets sync_records' partition expiration to keep (0:
// none) when it differs. The whole partitioning is sent: the emulator
// forgets the field when given the expiration alone.
func (w *Warehouse) partitionExpiration(ctx context.Context, keep time.Duration) error {
	t := w.ds.Table("sync_records")
	md, err := t.Metadata(ctx)
	if err != nil {
		return classify(fmt.Errorf("retention: table sync_records: %w", err))
	}
	if md.TimePartitioning == nil || md.TimePartitioning.Expiration == keep {
		return nil
	}
	p := *md.TimePartitioning
	p.Expiration = keep
	w.log.Info("sync_records partition expiration", "keep", keep)
	if _, err := t.Update(ctx, bigquery.TableMetadataToUpdate{TimePartitioning: &p}, md.ETag); err != nil {
		return classify(fmt.Errorf("retention: set sync_records' partition expiration: %w", err))
	}
	return nil
}
