package bigquery

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gocloud.dev/blob"

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
