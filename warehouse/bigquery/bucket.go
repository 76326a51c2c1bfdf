package bigquery

import (
	"fmt"
	"net/url"
)

// checkBucket refuses a bucket BigQuery cannot read where it reads the
// bucket itself: external mode (the URL's mode=external, or external for
// --mode external) and loaded mode's path=query. Loaded mode's path (b)
// streams any bucket's objects into load jobs, so it takes any bucket.
func checkBucket(raw, bucketURL string, external bool) error {
	c, err := ParseURL(raw)
	if err != nil {
		return err
	}
	if external {
		c.Mode = "external"
	}
	return readable(c, bucketURL)
}

// readable says whether BigQuery can read the bucket at bucketURL as c
// would have it: external tables over gs://, or s3:// through an Omni
// connection; path=query over gs:// only; path (b) anything.
func readable(c Config, bucketURL string) error {
	u, err := url.Parse(bucketURL)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("bucket %q: want a bucket URL such as gs://bucket", bucketURL)
	}
	switch {
	case c.Mode == "external":
		switch {
		case u.Scheme == "gs":
		case u.Scheme == "s3" && c.Connection == "":
			return fmt.Errorf("bucket %s: BigQuery's external mode over s3://%s needs a BigQuery Omni connection: add connection=PROJECT.aws-REGION.NAME to the warehouse URL", bucketURL, u.Host)
		case u.Scheme == "s3":
		default:
			return fmt.Errorf("bucket %s: BigQuery's external mode has BigQuery read the bucket itself, and it cannot read a %s:// bucket; "+
				"use a gs:// bucket (or s3:// with connection=), or --mode loaded, which loads any bucket", bucketURL, u.Scheme)
		}
	case c.Path == PathQuery && u.Scheme != "gs":
		return fmt.Errorf("bucket %s: BigQuery's path=query has BigQuery read the bucket itself, and it cannot read a %s:// bucket; "+
			"use a gs:// bucket, or drop path=query: path=load loads any bucket", bucketURL, u.Scheme)
	}
	return nil
}
