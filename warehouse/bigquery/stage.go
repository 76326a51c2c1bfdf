package bigquery

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// loadJobs is path b's first half: one load job per file, each into its own
// staging table (load-job quotas are per destination table), LoadWorkers at
// a time, with the schema from the file's footer (never autodetect). It
// returns one source per group that kept a file, reading its staging tables
// through one wildcard, and the tables made, to drop once the script has
// moved their rows. A job that fails on its file's data fails that file alone
// (failed, by index into files); any other failure stops the batch (alone).
func (w *Warehouse) loadJobs(ctx context.Context, cycle string, files []warehouse.File, groups []group) (
	[]dialects.BQSource, []string, map[int]error, error) {
	type job struct {
		table string
		file  int
		cols  []dialects.Column
	}
	var jobs []job
	prefixes := make([]string, len(groups))
	for g, gr := range groups {
		prefixes[g] = fmt.Sprintf("_st_%s_g%d_", cycle, g)
		for _, i := range gr.files {
			jobs = append(jobs, job{fmt.Sprintf("%s%d", prefixes[g], i), i, gr.cols})
		}
	}
	tables := make([]string, len(jobs))
	keys := make([]string, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, w.c.LoadWorkers)
	var wg sync.WaitGroup
	for j, jb := range jobs {
		tables[j], keys[j] = jb.table, files[jb.file].Key
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := w.loadFile(ctx, jb.table, files[jb.file], jb.cols); err != nil {
				errs[j] = fmt.Errorf("%s: %w", files[jb.file].Key, err)
			}
		})
	}
	wg.Wait()
	bad, err := alone("load job", hintLoadRefused, keys, errs)
	if err != nil {
		return nil, tables, nil, err
	}
	failed := make(map[int]error, len(bad))
	for j, e := range bad {
		failed[jobs[j].file] = e
	}
	var srcs []dialects.BQSource
	for g, gr := range groups {
		if slices.ContainsFunc(gr.files, func(i int) bool { _, f := failed[i]; return !f }) {
			srcs = append(srcs, w.d.StagingSource(w.c.Dataset, prefixes[g], gr.cols))
		}
	}
	return srcs, tables, failed, nil
}

const hintLoadRefused = "BigQuery refused every file's load job alike, which says nothing about the files; " +
	"nothing was marked failed: check the dataset, the service account's roles and the bucket, then load again"

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
	if f.Local != "" {
		// A repaired copy (warehouse.LocalCopies): uploaded with the job.
		r, err := os.Open(f.Local)
		if err != nil {
			return fmt.Errorf("read repaired copy: %w", err)
		}
		defer r.Close()
		rs := bigquery.NewReaderSource(r)
		rs.SourceFormat = bigquery.Parquet
		rs.Schema = schema
		src = rs
	} else if w.bucket != "" {
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
