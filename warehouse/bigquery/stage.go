package bigquery

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// loadPath is path b: one load job per file, each into its own staging table
// (load-job quotas are per destination table), LoadWorkers at a time, with
// the schema from the file's footer (never autodetect); then one script moves
// every staging table's rows in one transaction; then the tables are dropped.
func (w *Warehouse) loadPath(ctx context.Context, cycle string, decl []string, files []warehouse.File, groups []group,
	build func([]dialects.BQSource) []string) error {
	srcs := make([]dialects.BQSource, len(groups))
	var tables []string
	type job struct {
		table string
		file  warehouse.File
		cols  []dialects.Column
	}
	var jobs []job
	for g, gr := range groups {
		prefix := fmt.Sprintf("_st_%s_g%d_", cycle, g)
		srcs[g] = w.d.StagingSource(w.c.Dataset, prefix, gr.cols)
		for _, i := range gr.files {
			name := fmt.Sprintf("%s%d", prefix, i)
			tables = append(tables, name)
			jobs = append(jobs, job{name, files[i], gr.cols})
		}
	}
	script, err := join(decl, nil, w.d.Transaction(build(srcs)...), nil)
	if err != nil {
		return err // before any load job
	}
	defer w.dropTables(context.WithoutCancel(ctx), tables)

	errs := make([]error, len(jobs))
	sem := make(chan struct{}, w.c.LoadWorkers)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = w.loadFile(ctx, j.table, j.file, j.cols)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("%s: %w", jobs[i].file.Key, err)
		}
	}
	return w.query(ctx, script)
}

// loadFile runs one load job of one parquet file into a new staging table.
// The table is created first with the file's schema and a one-day expiry, so
// a crash leaves nothing behind for long.
func (w *Warehouse) loadFile(ctx context.Context, table string, f warehouse.File, cols []dialects.Column) error {
	ctx, cancel := context.WithTimeout(ctx, w.c.JobTimeout)
	defer cancel()
	schema := schemaOf(cols)
	t := w.ds.Table(table)
	md := &bigquery.TableMetadata{Schema: schema, ExpirationTime: w.now().Add(24 * time.Hour)}
	if err := t.Create(ctx, md); err != nil {
		return classify(fmt.Errorf("create staging table: %w", err))
	}
	var src bigquery.LoadSource
	if w.bucket != "" {
		ref := bigquery.NewGCSReference(w.uri(f.Key))
		ref.SourceFormat = bigquery.Parquet
		ref.Schema = schema
		src = ref
	} else {
		r, err := w.c.Bucket.NewReader(ctx, f.Key, nil)
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		defer r.Close()
		cr := &countingReader{r: r}
		defer func() { w.count(func(s *Stats) { s.DaemonBytes += cr.n }) }()
		rs := bigquery.NewReaderSource(cr)
		rs.SourceFormat = bigquery.Parquet
		rs.Schema = schema
		src = rs
	}
	l := t.LoaderFrom(src)
	l.WriteDisposition = bigquery.WriteTruncate
	l.CreateDisposition = bigquery.CreateNever
	w.count(func(s *Stats) { s.LoadJobs++; s.LoadsPer[table]++ })
	job, err := l.Run(ctx)
	if err != nil {
		return classify(fmt.Errorf("load job: %w", err))
	}
	st, err := job.Wait(ctx)
	if err == nil {
		err = st.Err()
	}
	return classify(wrap("load job", err))
}

func (w *Warehouse) dropTables(ctx context.Context, tables []string) {
	sem := make(chan struct{}, w.c.LoadWorkers)
	var wg sync.WaitGroup
	for _, name := range tables {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := w.ds.Table(name).Delete(ctx); err != nil && !isNotFound(err) {
				w.log.Warn("could not drop a staging table; it expires within a day", "table", name, "err", err)
			}
		})
	}
	wg.Wait()
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
