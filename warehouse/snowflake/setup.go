package snowflake

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

// SetUpBucket creates the external stage over the bucket (through the storage
// integration named in the URL), the schema's tables and views, and in
// external mode the external table. It is what `load --setup` runs; without
// it the stage must exist, named by ?stage=.
func (w *Warehouse) SetUpBucket(ctx context.Context, bucketURL string) error {
	// Both refusals are the command line's to fix (exit 2), not a bad day:
	// unclassified, they would end as "unavailable, try again later".
	stageURL, err := StageURL(bucketURL)
	if err != nil {
		return warehouse.Wrap(err, warehouse.Config, "bad_url", "")
	}
	if w.c.Integration == "" {
		return warehouse.Wrap(fmt.Errorf("--setup needs the storage integration: add storage_integration=NAME to the snowflake:// URL (see the README for CREATE STORAGE INTEGRATION)"),
			warehouse.Config, "bad_url", "")
	}
	if err := w.exec(ctx, w.db, "CREATE SCHEMA IF NOT EXISTS "+w.d.Ident(w.schema)); err != nil {
		return err
	}
	if err := w.exec(ctx, w.db, w.d.CreateStage(w.c.Stage, stageURL, w.c.Integration)); err != nil {
		return err
	}
	if err := w.ensureTables(ctx); err != nil {
		return err
	}
	if !w.external || !w.c.AutoRefresh {
		return nil
	}
	return w.autoRefresh(ctx)
}

// autoRefresh turns on AUTO_REFRESH and keeps the notification channel that
// Snowflake reports for the external table, for the user to point the
// bucket's event notifications at. Loads still refresh each new run folder,
// so nothing waits on the notifications.
func (w *Warehouse) autoRefresh(ctx context.Context) error {
	if err := w.exec(ctx, w.db, w.d.AutoRefreshExternal(w.schema)); err != nil {
		return err
	}
	stmt := w.d.ShowExternal(w.schema)
	w.log.Debug("statement", "sql", stmt)
	rows, err := w.db.QueryContext(ctx, stmt)
	if err != nil {
		return w.classify(err, stmt)
	}
	tbl, err := readTable(rows)
	if err != nil {
		return w.classify(err, stmt)
	}
	for _, r := range tbl {
		if ch := r["notification_channel"]; ch != "" {
			w.channel = ch
		}
	}
	if w.channel == "" {
		return fmt.Errorf("AUTO_REFRESH is on, but SHOW EXTERNAL TABLES reported no notification_channel for %s", w.d.Table(w.schema, "sync_records_external"))
	}
	w.log.Info("external table refreshes on bucket events: send the bucket's object-created notifications to this channel",
		"notification_channel", w.channel)
	return nil
}

var _ warehouse.Notifier = (*Warehouse)(nil)

// NotificationChannel is the queue (for S3, an SQS ARN) the bucket's event
// notifications must go to once --setup turned on AUTO_REFRESH; "" otherwise.
func (w *Warehouse) NotificationChannel() string { return w.channel }

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
