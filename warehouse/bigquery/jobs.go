package bigquery

import (
	"context"
	"errors"
	"fmt"

	"cloud.google.com/go/bigquery"
)

// query runs one query job (a script is one job) and waits for it.
func (w *Warehouse) query(ctx context.Context, sql string, params ...bigquery.QueryParameter) error {
	ctx, cancel := context.WithTimeout(ctx, w.c.JobTimeout)
	defer cancel()
	q := w.client.Query(sql)
	q.Parameters = params
	_, err := w.runJob(ctx, q)
	return err
}

// script runs one script (one query job) whose last statement selects one
// INT64, and returns it: path a's row count of its batch.
func (w *Warehouse) script(ctx context.Context, sql string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, w.c.JobTimeout)
	defer cancel()
	job, err := w.runJob(ctx, w.client.Query(sql))
	if err != nil {
		return 0, err
	}
	// A script's results are its last statement's.
	it, err := job.Read(ctx)
	if err != nil {
		return 0, classify(err)
	}
	var row []bigquery.Value
	if err := it.Next(&row); err != nil {
		return 0, classify(fmt.Errorf("read the script's row count: %w", err))
	}
	if len(row) == 1 {
		if n, ok := row[0].(int64); ok {
			return n, nil
		}
	}
	return 0, fmt.Errorf("read the script's row count: got %v", row)
}

// runJob starts one query job, counts it, and waits for it to end.
func (w *Warehouse) runJob(ctx context.Context, q *bigquery.Query) (*bigquery.Job, error) {
	w.log.Debug("query job", "sql", q.Q)
	w.count(func(s *Stats) { s.Queries++ })
	job, err := q.Run(ctx)
	if err != nil {
		return nil, classify(err)
	}
	st, err := job.Wait(ctx)
	if err == nil {
		err = st.Err()
	}
	return job, classify(err)
}

// read runs a query and passes each row to fn.
func (w *Warehouse) read(ctx context.Context, sql string, fn func([]bigquery.Value) error, params ...bigquery.QueryParameter) error {
	ctx, cancel := context.WithTimeout(ctx, w.c.JobTimeout)
	defer cancel()
	q := w.client.Query(sql)
	q.Parameters = params
	w.log.Debug("query", "sql", sql)
	w.count(func(s *Stats) { s.Queries++ })
	it, err := q.Read(ctx)
	if err != nil {
		return classify(err)
	}
	for {
		var row []bigquery.Value
		err := it.Next(&row)
		if errors.Is(err, errDone) {
			return nil
		}
		if err != nil {
			return classify(err)
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}
