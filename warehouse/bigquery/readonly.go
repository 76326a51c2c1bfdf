package bigquery

import (
	"context"
	"fmt"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/warehouse"
)

var _ warehouse.ReadOnlyQuerier = (*Warehouse)(nil)

// QueryReadOnly dry-runs q first (free: BigQuery validates and plans it and
// runs nothing) and runs it only when the dry run's statementType is
// SELECT. DML, DDL, a script of several statements (SCRIPT), CALL and the
// rest are refused before any job runs; nothing in the SQL text is
// inspected. BigQuery has no read-only job or session, so this is the
// engine's own word on what the statement is; the service account's roles
// (bigquery.dataViewer and jobUser only) make it a hard guarantee.
func (w *Warehouse) QueryReadOnly(ctx context.Context, q string) (warehouse.Rows, error) {
	typ, err := w.statementType(ctx, q)
	if err != nil {
		return nil, warehouse.RefusedQuery("BigQuery", err)
	}
	if typ != "SELECT" {
		return nil, warehouse.NotReadOnly("BigQuery's dry run", "statementType "+typ+", not SELECT")
	}
	rows, err := w.Query(ctx, q, nil)
	return rows, warehouse.RefusedQuery("BigQuery", err)
}

// statementType is what BigQuery's dry run of q says it is.
func (w *Warehouse) statementType(ctx context.Context, q string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, w.c.JobTimeout)
	defer cancel()
	dq := w.client.Query(q)
	dq.DryRun = true
	w.log.Debug("dry run", "sql", q)
	w.count(func(s *Stats) { s.DryRuns++ })
	job, err := dq.Run(ctx)
	var st *bigquery.JobStatus
	if err == nil {
		if st = job.LastStatus(); st == nil {
			err = fmt.Errorf("no job status")
		} else {
			err = st.Err()
		}
	}
	if err != nil {
		return "", classify(err)
	}
	var qs *bigquery.QueryStatistics
	if st.Statistics != nil {
		qs, _ = st.Statistics.Details.(*bigquery.QueryStatistics)
	}
	if qs == nil || qs.StatementType == "" {
		return "(none given)", nil
	}
	return qs.StatementType, nil
}
