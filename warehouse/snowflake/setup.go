package snowflake

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// SetUpBucket creates the external stage over the bucket (through the storage
// integration named in the URL), the schema's tables and views, and in
// external mode the external table. It is what `load --setup` runs; without
// it the stage must exist, named by ?stage=.
func (w *Warehouse) SetUpBucket(ctx context.Context, bucketURL string) error {
	stageURL, err := StageURL(bucketURL)
	if err != nil {
		return err
	}
	if w.c.Integration == "" {
		return fmt.Errorf("--setup needs the storage integration: add storage_integration=NAME to the snowflake:// URL (see the README for CREATE STORAGE INTEGRATION)")
	}
	if err := w.exec(ctx, w.db, "CREATE SCHEMA IF NOT EXISTS "+w.d.Ident(w.schema)); err != nil {
		return err
	}
	if err := w.exec(ctx, w.db, w.d.CreateStage(w.c.Stage, stageURL, w.c.Integration)); err != nil {
		return err
	}
	return w.ensureTables(ctx)
}

// StageURL is the stage URL for a bucket URL: the bucket's root, so keys are
// paths in the stage as they are in the bucket.
func StageURL(bucketURL string) (string, error) {
	u, err := url.Parse(bucketURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("bucket URL %q: Snowflake reads the bucket itself; want s3://, gs:// or azblob://", bucketURL)
	}
	switch u.Scheme {
	case "s3":
		return "s3://" + u.Host + "/", nil
	case "gs":
		return "gcs://" + u.Host + "/", nil
	case "azblob":
		acct := u.Query().Get("storage_account")
		if acct == "" {
			return "", fmt.Errorf("bucket URL %q: add storage_account=NAME so the stage can name the Azure account", bucketURL)
		}
		return "azure://" + acct + ".blob.core.windows.net/" + u.Host + "/", nil
	}
	return "", fmt.Errorf("bucket URL %q: Snowflake cannot read a %s bucket; use s3://, gs:// or azblob://", bucketURL, strings.TrimSuffix(u.Scheme, ":"))
}
