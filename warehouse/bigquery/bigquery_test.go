package bigquery

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/gcsblob"
	"google.golang.org/api/googleapi"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

func TestParseURL(t *testing.T) {
	c, err := ParseURL("bigquery://proj/ds?location=EU&mode=external&connection=proj.aws-us-east-1.c&load_workers=3")
	if err != nil || c.Project != "proj" || c.Dataset != "ds" || c.Location != "EU" || c.Mode != "external" ||
		c.Connection != "proj.aws-us-east-1.c" || c.LoadWorkers != 3 {
		t.Fatalf("ParseURL = %+v, %v", c, err)
	}
	if c, err := ParseURL("bigquery://my-proj-1/Logs_2"); err != nil || c.Project != "my-proj-1" || c.Dataset != "Logs_2" {
		t.Errorf("bigquery://my-proj-1/Logs_2: %+v, %v", c, err)
	}
	if c, _ := ParseURL("bigquery://proj"); c.Dataset != "synctrack" || c.Mode != "loaded" {
		t.Errorf("defaults: %+v", c)
	}
	for _, bad := range []string{"bigquery:///ds", "duckdb://x", "bigquery://p/d?mode=copy",
		"bigquery://p/d?path=fast", "bigquery://p/d?load_workers=0", "bigquery://p/d?password=x",
		"bigquery://proj/ds/extra", "bigquery://proj/my-ds", "bigquery://My_Project/ds"} {
		if _, err := ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) took it", bad)
		}
	}
	// url.Query would drop these pairs and load without the location or
	// mode the user typed.
	for bad, says := range map[string]string{
		"bigquery://p/d?location=EU;mode=external":  `parameter "location": a ; does not separate parameters`,
		"bigquery://p/d?mode=external&location=%zz": `parameter "location": its value has a bad %-escape`,
	} {
		if _, err := ParseURL(bad); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("ParseURL(%q): %v, want an error saying %q", bad, err, says)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		err    error
		class  warehouse.Class
		reason string
	}{
		{&googleapi.Error{Code: 403, Errors: []googleapi.ErrorItem{{Reason: "quotaExceeded"}}}, warehouse.Resource, "quota"},
		{&googleapi.Error{Code: 403, Errors: []googleapi.ErrorItem{{Reason: "accessDenied"}}}, warehouse.Config, "permission"},
		{&googleapi.Error{Code: http.StatusNotFound}, warehouse.Config, "missing"},
		{&googleapi.Error{Code: 401, Message: "Request had invalid authentication credentials."}, warehouse.Config, "credentials"},
		{errors.New(`Post "https://bigquery.googleapis.com/x": oauth2: cannot fetch token: 400 Bad Request Response: {"error":"invalid_grant"}`), warehouse.Config, "credentials"},
		{errors.New("auth: cannot fetch token: 401\nResponse: {}"), warehouse.Config, "credentials"},
		{errors.New(`oauth2: cannot fetch token: 503 Service Unavailable Response: upstream`), warehouse.Unclassified, ""},
		{errors.New(`the invalid_grant of a message with no token fetch`), warehouse.Unclassified, ""},
		{errors.New("bigquery: constructing client: credentials: could not find default credentials. See https://cloud.google.com/docs/authentication/external/set-up-adc for more information"), warehouse.Config, "credentials"},
		{&googleapi.Error{Code: 404, Message: "Not found: Table _st_file_0"}, warehouse.Config, "refused_step"},
		{&googleapi.Error{Code: 400, Message: "Error while reading table: _st_file_3, error message: Invalid parquet file"}, warehouse.Data, "bad_object"},
		{&googleapi.Error{Code: 400, Errors: []googleapi.ErrorItem{{Reason: "invalidQuery"}}}, warehouse.Unclassified, "invalid"},
		{&googleapi.Error{Code: 400, Message: "Error while reading data, error message: invalid UTF-8 in column status"}, warehouse.Data, warehouse.ReasonBadText},
		{&bigquery.Error{Reason: "quotaExceeded", Message: "Quota exceeded"}, warehouse.Resource, "quota"},
		{&bigquery.Error{Reason: "accessDenied", Message: "Access Denied: File gs://b/k"}, warehouse.Config, "permission"},
		{&bigquery.Error{Reason: "backendError", Message: "Backend error. Job aborted."}, warehouse.Transient, "unavailable"},
		{&bigquery.Error{Reason: "jobInternalError", Message: "failed to analyze: Table not found: _st_file_0 [at 2:33]"}, warehouse.Config, "refused_step"},
		{&googleapi.Error{Code: 503}, warehouse.Transient, "unavailable"},
		// A file's values quoted in BigQuery's words are the file's,
		// whatever they say: a permission refused would stop every load.
		{&googleapi.Error{Code: 400, Errors: []googleapi.ErrorItem{{Reason: "invalid"}},
			Message: "Error while reading data, error message: Could not parse 'Access Denied: Permission bigquery.tables.get denied' as TIMESTAMP"}, warehouse.Data, "bad_object"},
		{&bigquery.Error{Reason: "invalid", Message: "Error while reading data, error message: Could not parse 'Quota exceeded' as TIMESTAMP for field batch_started_at"}, warehouse.Data, "bad_object"},
		{&googleapi.Error{Code: 400, Message: "Could not parse 'no space left on device' as INT64"}, warehouse.Unclassified, "invalid"},
		{&bigquery.Error{Reason: "invalid", Message: "Could not parse 'oauth2: cannot fetch token: 400 Bad Request' as TIMESTAMP"}, warehouse.Unclassified, "invalid"},
		{&googleapi.Error{Code: 400, Message: "Could not parse 'could not find default credentials' as INT64"}, warehouse.Unclassified, "invalid"},
		// Words alone still tell what the client says without a reason.
		{errors.New("googleapi: Quota exceeded for quota metric 'Queries'"), warehouse.Resource, "quota"},
		{errors.New("storage: permission denied on the bucket"), warehouse.Config, "permission"},
		{context.DeadlineExceeded, warehouse.Transient, "timeout"},
		{errors.New("boom"), warehouse.Unclassified, ""},
	} {
		err := classify(c.err)
		reason, _ := warehouse.Explain(err)
		if warehouse.ClassOf(err) != c.class || reason != c.reason {
			t.Errorf("classify(%v) = %s %q, want %s %q", c.err, warehouse.ClassOf(err), reason, c.class, c.reason)
		}
		if !errors.Is(err, c.err) {
			t.Errorf("classify(%v) lost the cause", c.err)
		}
	}
}

// TestLive opens a real dataset and, given SYNCTRACK_BIGQUERY_TEST_BUCKET
// (gs://, holding a generated bucket), loads it on path a twice: the second
// load moves nothing. It runs only with SYNCTRACK_BIGQUERY_TEST_PROJECT and
// credentials (ADC), and skips otherwise.
func TestLive(t *testing.T) {
	project := os.Getenv("SYNCTRACK_BIGQUERY_TEST_PROJECT")
	if project == "" || os.Getenv("BIGQUERY_EMULATOR_HOST") != "" {
		t.Skip("set SYNCTRACK_BIGQUERY_TEST_PROJECT (and credentials) to run against real BigQuery")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bucketURL := os.Getenv("SYNCTRACK_BIGQUERY_TEST_BUCKET") // gs://..., optional
	var b *blob.Bucket
	if bucketURL != "" {
		var err error
		if b, err = blob.OpenBucket(ctx, bucketURL); err != nil {
			t.Fatal(err)
		}
		defer b.Close()
	}
	path := PathLoad
	if b != nil {
		path = PathQuery
	}
	w, err := Open(ctx, Config{Project: project, Dataset: "synctrack_live_test", Path: path,
		Bucket: b, BucketURL: bucketURL}, time.Now)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer w.Close()
	if _, err := w.Ledger(ctx); err != nil {
		t.Fatalf("ledger: %v", err)
	}
	if b == nil {
		return
	}
	for i := range 2 {
		rep, err := loader.New(b, "", w, loader.Options{}).Load(ctx)
		if err != nil || len(rep.Failed) > 0 {
			t.Fatalf("load %d: %v %+v", i+1, err, rep)
		}
		if i == 1 && rep.Files != 0 {
			t.Fatalf("second load moved %d files", rep.Files)
		}
		t.Logf("load %d: %+v, stats %+v", i+1, rep, w.Stats())
	}
	if st := w.Stats(); st.LoadJobs != 0 || st.DaemonBytes != 0 || st.DryRuns == 0 {
		t.Errorf("path a ran %d load jobs, read %d bytes of records or fact files, %d dry runs (want 0, 0, some)",
			st.LoadJobs, st.DaemonBytes, st.DryRuns)
	}
}
