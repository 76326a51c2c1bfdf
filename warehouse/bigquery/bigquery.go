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
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/bigquery"
	"gocloud.dev/blob"
	"google.golang.org/api/option"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Loaded-mode paths.
const (
	PathQuery = "query" // (a): external tables over gs:// files, read by one script
	PathLoad  = "load"  // (b): one load job per file into a staging table, then one script
)

// Config is what a bigquery:// URL says, plus the bucket being loaded.
type Config struct {
	Project, Dataset, Location string
	// Mode is "loaded" (default) or "external".
	Mode string
	// Path forces PathQuery or PathLoad; empty picks query for gs:// buckets.
	Path string
	// Connection is a BigQuery Omni connection (project.location.name) for an
	// external table over S3.
	Connection string
	// CredentialsFile is a service-account key file; empty uses Application
	// Default Credentials. BIGQUERY_EMULATOR_HOST overrides both.
	CredentialsFile string
	// LoadWorkers bounds concurrent load jobs (path b); default 8.
	LoadWorkers int
	// ReadOnly opens for reading (status, plan, reports): nothing is created,
	// and a dataset without a ledger reads as an empty one.
	ReadOnly bool
	// JobTimeout bounds one load job or script; default 30 minutes. The client
	// retries 5xx answers until its context ends.
	JobTimeout time.Duration

	// Bucket is the bucket being loaded and BucketURL its URL. Only path b
	// reads the bucket: the files' parquet footers and, outside gs://, the
	// objects. Path a and external mode leave every read to BigQuery.
	Bucket    *blob.Bucket
	BucketURL string
	Logger    *slog.Logger
}

// urlParams are the parameters a bigquery:// URL may carry.
var urlParams = []string{"location", "credentials_file", "mode", "path", "connection", "load_workers"}

// datasetName and projectID are what BigQuery takes: a dataset is letters,
// digits and underscores; a project id lowercase letters, digits and
// hyphens.
var (
	datasetName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	projectID   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
)

// checkDataset and checkProject say why s is no dataset name, or no
// project id, BigQuery would take: ParseURL's checks and checkSchema's.
func checkDataset(s string) error {
	if !datasetName.MatchString(s) || len(s) > 1024 {
		return errors.New("want one name of letters, digits and underscores")
	}
	return nil
}

func checkProject(s string) error {
	if !projectID.MatchString(s) {
		return errors.New("not a Google Cloud project id (lowercase letters, digits and hyphens, as in my-project)")
	}
	return nil
}

// checkSchema reads a schema written as the analysis SQL names one (sql
// render --schema): DATASET or PROJECT.DATASET, each part checked as
// ParseURL checks the URL's.
func checkSchema(s string) error {
	project, dataset, ok := strings.Cut(s, ".")
	if !ok {
		dataset = s
	} else if err := checkProject(project); err != nil {
		return fmt.Errorf("project %q: %w", project, err)
	}
	if err := checkDataset(dataset); err != nil {
		return fmt.Errorf("dataset %q: %w", dataset, err)
	}
	return nil
}

// ParseURL reads bigquery://PROJECT/DATASET?location=..&credentials_file=..
// &mode=loaded|external&path=query|load&connection=..&load_workers=N.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "bigquery" || u.Host == "" {
		return Config{}, fmt.Errorf("warehouse URL %q: want bigquery://PROJECT/DATASET?location=..", raw)
	}
	c := Config{Project: u.Host, Dataset: strings.Trim(u.Path, "/"), Mode: "loaded"}
	if c.Dataset == "" {
		c.Dataset = "synctrack"
	}
	if err := checkDataset(c.Dataset); err != nil {
		return Config{}, fmt.Errorf("warehouse URL %q: dataset %q: %w (bigquery://PROJECT/DATASET)", raw, c.Dataset, err)
	}
	if err := checkProject(c.Project); err != nil {
		return Config{}, fmt.Errorf("warehouse URL %q: project %q: %w", raw, c.Project, err)
	}
	q, err := warehouse.URLParams(u.RawQuery)
	if err != nil {
		return Config{}, fmt.Errorf("warehouse URL %q: %w", raw, err)
	}
	for k := range q {
		if !slices.Contains(urlParams, k) {
			return Config{}, fmt.Errorf("warehouse URL %q: unknown parameter %q (known: %s)", raw, k, strings.Join(urlParams, ", "))
		}
	}
	c.Location, c.CredentialsFile, c.Connection = q.Get("location"), q.Get("credentials_file"), q.Get("connection")
	if m := q.Get("mode"); m != "" {
		c.Mode = m
	}
	if c.Mode != "loaded" && c.Mode != "external" {
		return Config{}, fmt.Errorf("warehouse URL %q: mode=%q: want loaded or external", raw, c.Mode)
	}
	if p := q.Get("path"); p != "" && p != PathQuery && p != PathLoad {
		return Config{}, fmt.Errorf("warehouse URL %q: path=%q: want query or load", raw, p)
	}
	c.Path = q.Get("path")
	if s := q.Get("load_workers"); s != "" {
		if c.LoadWorkers, err = strconv.Atoi(s); err != nil || c.LoadWorkers < 1 {
			return Config{}, fmt.Errorf("warehouse URL %q: load_workers=%q is not a count", raw, s)
		}
	}
	return c, nil
}

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
