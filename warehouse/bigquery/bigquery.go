// Package bigquery is the BigQuery warehouse. It never stages files on disk:
// BigQuery reads a gs:// bucket itself (path a: a dry run tells each file's
// schema, then one script over short-lived external tables per batch counts
// and moves the rows; synctrack reads no byte of the files) and other buckets'
// objects are streamed into one load job per file (path b, schemas from the
// files' footers), each into its own staging table, then moved into
// sync_records by one script. Both end in one multi-statement transaction
// holding the batch's delete, insert and ledger rows.
package bigquery

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/option"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Stats counts what the warehouse asked of BigQuery, for benchmarks.
type Stats struct {
	Queries     int            // query jobs run (scripts count once)
	DryRuns     int            // dry-run query jobs (path a's schemas): free, nothing runs
	LoadJobs    int            // load jobs
	LoadsPer    map[string]int // load jobs per destination table
	DaemonBytes int64          // bytes of bucket objects read by this process
}

// Warehouse is one BigQuery dataset holding synctrack's tables.
type Warehouse struct {
	client *bigquery.Client
	ds     *bigquery.Dataset
	d      dialects.BigQuery
	c      Config
	path   string
	bucket string // gs:// bucket name, or ""
	now    func() time.Time
	log    *slog.Logger
	// pendingExternal: UseExternalTables was called after Open; the
	// external table and view are put in place at the next LoadRecords.
	pendingExternal bool

	mu    sync.Mutex
	stats Stats
}

var (
	_ warehouse.Warehouse   = (*Warehouse)(nil)
	_ warehouse.LocalCopies = (*Warehouse)(nil)
)

// LoadsLocalCopies says that LoadRecords takes a repaired local copy of a
// file (File.Local) in place of the bucket's object: it goes up through a
// load job (path b) whatever the path of the rest.
func (*Warehouse) LoadsLocalCopies() {}

// pathFor is the path a call over files takes: path a reads only the
// bucket, so a call holding a local copy takes path b.
func (w *Warehouse) pathFor(files []warehouse.File) string {
	for _, f := range files {
		if f.Local != "" {
			return PathLoad
		}
	}
	return w.path
}

// Open connects, creating the dataset and tables that are missing.
func Open(ctx context.Context, c Config, now func() time.Time) (*Warehouse, error) {
	if now == nil {
		now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.LoadWorkers <= 0 {
		c.LoadWorkers = 8
	}
	if c.JobTimeout <= 0 {
		c.JobTimeout = 30 * time.Minute
	}
	var opts []option.ClientOption
	if host := os.Getenv("BIGQUERY_EMULATOR_HOST"); host != "" {
		if !strings.Contains(host, "://") {
			host = "http://" + host
		}
		opts = append(opts, option.WithEndpoint(host), option.WithoutAuthentication())
	} else if c.CredentialsFile != "" {
		opts = append(opts, option.WithAuthCredentialsFile(option.ServiceAccount, c.CredentialsFile))
	}
	client, err := bigquery.NewClient(ctx, c.Project, opts...)
	if err != nil {
		// Making the client reads credentials and sends nothing: what fails
		// here and no rule knows (a credentials_file= missing, a folder, not
		// a key) is the user's to fix, not the network's.
		return nil, warehouse.Wrap(classify(fmt.Errorf("bigquery client for project %s: %w", c.Project, err)),
			warehouse.Config, "credentials", hintCredentials)
	}
	client.Location = c.Location
	w := &Warehouse{client: client, ds: client.Dataset(c.Dataset), c: c, now: now,
		log: c.Logger.WithGroup("bigquery"), stats: Stats{LoadsPer: map[string]int{}}}
	if u, err := url.Parse(c.BucketURL); err == nil && u.Scheme == "gs" {
		w.bucket = u.Host
	}
	w.path = c.Path
	if w.path == "" {
		w.path = PathLoad
		if w.bucket != "" {
			w.path = PathQuery
		}
	}
	if c.ReadOnly {
		return w, nil
	}
	if w.path == PathQuery && w.bucket == "" {
		client.Close()
		return nil, warehouse.Wrap(fmt.Errorf("path=query reads the bucket from BigQuery and needs a gs:// bucket, not %q", c.BucketURL),
			warehouse.Config, "bad_url", "drop path=query, or load a gs:// bucket")
	}
	if err := w.setup(ctx); err != nil {
		client.Close()
		return nil, err
	}
	return w, nil
}

// Path is the loaded-mode path in use: PathQuery or PathLoad.
func (w *Warehouse) Path() string { return w.path }

// Client is the BigQuery client, for queries (reports, tests).
func (w *Warehouse) Client() *bigquery.Client { return w.client }

// Dataset is the dataset synctrack writes to.
func (w *Warehouse) Dataset() string { return w.c.Dataset }

// Schema is the dataset: what BigQuery's SQL qualifies table names with.
func (w *Warehouse) Schema() string { return w.c.Dataset }

// Dialect is BigQuery's SQL (GoogleSQL).
func (w *Warehouse) Dialect() dialects.Dialect { return w.d }

// Stats returns a copy of the counters.
func (w *Warehouse) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.stats
	s.LoadsPer = make(map[string]int, len(w.stats.LoadsPer))
	for k, v := range w.stats.LoadsPer {
		s.LoadsPer[k] = v
	}
	return s
}

func (w *Warehouse) count(f func(*Stats)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f(&w.stats)
}

// Close closes the client.
func (w *Warehouse) Close() error { return w.client.Close() }

func (w *Warehouse) table(name string) string { return w.d.Table(w.c.Dataset, name) }
