package snowflake

import (
	"fmt"
	"net/url"
)

// checkBucket refuses a bucket Snowflake cannot read. Snowflake reads the
// bucket itself, in both modes, through an external stage over its root,
// and a stage is over a cloud object store only: a local folder (file://)
// or this process's memory (mem://) would be listed by synctrack while
// COPY read whatever the stage is over.
func checkBucket(_, bucketURL string, _ bool) error {
	u, err := url.Parse(bucketURL)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("bucket %q: Snowflake reads the bucket itself, through an external stage; want s3://, gs:// or azblob://", bucketURL)
	}
	switch u.Scheme {
	case "s3", "gs", "azblob":
		return nil
	}
	return fmt.Errorf("bucket %s: Snowflake reads the bucket itself, through an external stage, and cannot read a %s:// bucket; "+
		"use the s3://, gs:// or azblob:// bucket the stage is over", bucketURL, u.Scheme)
}
