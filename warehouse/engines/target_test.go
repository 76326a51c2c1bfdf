package engines

import (
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
)

// An engine that reads the bucket itself takes only the buckets it can read
// in the mode asked; the refusal is a config error naming the scheme, the
// engine and what would do. Engines that are handed the files take any.
func TestCheckTargetBuckets(t *testing.T) {
	const sf, bq = "snowflake://u@acct/db/s?warehouse=wh", "bigquery://proj/ds"
	for _, c := range []struct {
		wh, bucket string
		external   bool
		says       []string // nil: accepted
	}{
		{sf, "s3://b?region=us-east-1", false, nil},
		{sf, "gs://b", true, nil},
		{sf, "azblob://c?storage_account=a", false, nil},
		{sf, "file:///data/bucket", false, []string{"Snowflake", "file://", "s3://, gs:// or azblob://", "duckdb", "postgres"}},
		{sf, "mem://", true, []string{"Snowflake", "mem://"}},
		{bq, "file:///data/bucket", false, nil}, // path (b) streams it
		{bq, "mem://", false, nil},
		{bq + "?path=load", "s3://b", false, nil},
		{bq, "gs://b", true, nil},
		{bq + "?mode=external", "gs://b", false, nil},
		{bq + "?mode=external&connection=p.aws-us-east-1.c", "s3://b", false, nil},
		{bq, "file:///data/bucket", true, []string{"BigQuery", "external mode", "file://", "gs://", "--mode loaded"}},
		{bq + "?mode=external", "mem://", false, []string{"external mode", "mem://"}},
		{bq + "?mode=external", "s3://b", false, []string{"connection="}},
		{bq + "?path=query", "mem://", false, []string{"path=query", "mem://", "path=load"}},
		{bq + "?path=query", "gs://b", false, nil},
		{"duckdb://./w.duckdb", "mem://", false, nil},
		{"postgres://u@h/db", "file:///data/bucket", false, nil},
	} {
		_, err := CheckTarget(c.wh, c.bucket, c.external)
		if c.says == nil {
			if err != nil {
				t.Errorf("%s with %s (external %v): %v", c.wh, c.bucket, c.external, err)
			}
			continue
		}
		if err == nil || warehouse.ClassOf(err) != warehouse.Config {
			t.Errorf("%s with %s (external %v): error %v, want a config error", c.wh, c.bucket, c.external, err)
			continue
		}
		for _, w := range c.says {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s with %s: %q does not say %q", c.wh, c.bucket, err, w)
			}
		}
	}
}
