package bigquery

import (
	"context"
	"fmt"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/warehouse"
)

var _ warehouse.Estimator = (*Warehouse)(nil)

// EstimateBytes is BigQuery's dry run of sql with args bound: the bytes the
// query would process (totalBytesProcessed; on demand, billed with a 10 MB
// minimum per table), before clustering prunes blocks, so an upper bound for
// a query that filters the clustering columns. A dry run runs nothing and is free.
func (w *Warehouse) EstimateBytes(ctx context.Context, sql string, args []warehouse.Arg) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, w.c.JobTimeout)
	defer cancel()
	q, err := w.job(sql, args)
	if err != nil {
		return 0, err
	}
	q.DryRun = true
	w.log.Debug("dry run", "sql", sql)
	w.count(func(s *Stats) { s.DryRuns++ })
	job, err := q.Run(ctx)
	if err != nil {
		return 0, classify(err)
	}
	st := job.LastStatus()
	if st == nil {
		return 0, fmt.Errorf("dry run: no job status")
	}
	if err := st.Err(); err != nil {
		return 0, classify(err)
	}
	var qs *bigquery.QueryStatistics
	if st.Statistics != nil {
		qs, _ = st.Statistics.Details.(*bigquery.QueryStatistics)
	}
	if qs == nil {
		return 0, fmt.Errorf("dry run: no query statistics")
	}
	return qs.TotalBytesProcessed, nil
}
