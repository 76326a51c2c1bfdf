package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/memblob"
	"gocloud.dev/gcp"

	"github.com/synctrack/synctrack/internal/gcsbucket"
	"github.com/synctrack/synctrack/internal/s3bucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
)

// checkBucketFolder says why a file:// bucket's folder root cannot be
// read, if it cannot. Not there, a file, or a path that loops through its
// links or is too long, is the URL's fault (exit 2), and the words say
// which: a mount not mounted yet reads as not there. A
// folder that is there but fails (a mount that lost its server, EIO) is
// the machine's, classed as a bucket error mid-load is (exit 3).
func checkBucketFolder(raw, root string) error {
	const what = "a file:// bucket is the folder holding sync_tracking_datasets/"
	fi, err := os.Stat(root)
	switch {
	case err == nil && !fi.IsDir():
		return usageError("bucket URL %q: %s is a file, not a folder (%s)", raw, root, what)
	case errors.Is(err, fs.ErrNotExist):
		return usageError("bucket URL %q: no folder %s (%s; on a mount, mount it first)", raw, root, what)
	case errors.Is(err, syscall.ENOTDIR):
		return usageError("bucket URL %q: %s is under a file, not a folder (%s)", raw, root, what)
	case errors.Is(err, syscall.ELOOP), errors.Is(err, syscall.ENAMETOOLONG):
		// A path that loops through its links, or too long a name, is
		// the URL's as a missing folder is: no later load reaches it.
		return usageError("bucket URL %q: %s cannot be reached: %v (%s)", raw, root, errors.Unwrap(err), what)
	case err != nil:
		return loader.BucketError(fmt.Errorf("bucket folder %s: %w", root, err))
	}
	return nil
}

// openBucket opens a gocloud.dev bucket URL. For file:// it also returns the
// directory, so the loader can link files instead of copying them. The AWS
// SDK behind an s3:// bucket logs to log, not to stderr (internal/s3bucket);
// nil drops what it says, for a URL that can only be file://.
func openBucket(ctx context.Context, raw string, log *slog.Logger) (*blob.Bucket, string, error) {
	if raw == "" {
		return nil, "", usageError("no bucket: set --bucket (or SYNCTRACK_BUCKET), e.g. file:///data/bucket or s3://my-bucket?region=us-east-1")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return nil, "", usageError("bucket URL %q: want a URL such as s3://bucket, gs://bucket, file:///abs/dir or mem://", raw)
	}
	root := ""
	if u.Scheme == "file" {
		if u.Host != "" && u.Host != "localhost" {
			return nil, "", usageError("bucket URL %q: a file URL needs an absolute path: file:///abs/dir", raw)
		}
		root = filepath.Clean(u.Path)
		if err := checkBucketFolder(raw, root); err != nil {
			return nil, "", err
		}
	}
	if u.Host == "" && u.Scheme != "file" && u.Scheme != "mem" {
		return nil, "", usageError("bucket URL %q: no bucket name: want %s://BUCKET-NAME", raw, u.Scheme)
	}
	if err := gcsCredentials(ctx, u); err != nil {
		return nil, "", usageError("bucket URL %q: %v", raw, err)
	}
	var b *blob.Bucket
	switch u.Scheme {
	case s3bucket.Scheme:
		b, err = s3bucket.Open(ctx, raw, log)
	case gcsbucket.Scheme:
		// An anonymous URL without gocloud's look-up of credentials, which
		// prints on stdout when it finds none.
		b, err = gcsbucket.Open(ctx, raw)
	default:
		b, err = blob.OpenBucket(ctx, raw)
	}
	if err != nil {
		// A parameter the driver does not know, or a value it cannot read
		// (gs://b?anonymous=true&grpc=maybe, a "try again" exit 3 before),
		// or two that contradict each other (zonal=true&grpc=false).
		if msg := err.Error(); strings.Contains(msg, "no driver registered") || strings.Contains(msg, "unknown query parameter") ||
			strings.Contains(msg, "invalid query parameter") || strings.Contains(msg, "invalid value") ||
			strings.Contains(msg, "cannot be combined with") {
			return nil, "", usageError("bucket URL %q: %v", raw, err)
		}
		return nil, "", loader.BucketError(fmt.Errorf("open bucket %s: %w", raw, err))
	}
	return b, root, nil
}

// gcsCredentials finds Google's default credentials for a gs:// bucket
// outside the emulator. Without them gocloud prints a warning on stdout, in
// the middle of a load's report, and goes on with empty ones that fail at
// the first listing, read as the bucket not answering (exit 3): the user's
// to fix, said here; a URL asking for no credentials needs none.
func gcsCredentials(ctx context.Context, u *url.URL) error {
	if u.Scheme != "gs" || os.Getenv("STORAGE_EMULATOR_HOST") != "" || os.Getenv("STORAGE_EMULATOR_HOST_GRPC") != "" {
		return nil
	}
	// A public bucket read without credentials, as gocloud's URL asks:
	// anonymous=true or access_id=-.
	if gcsbucket.Anonymous(u.Query()) {
		return nil
	}
	if _, err := gcp.DefaultCredentials(ctx); err != nil {
		return fmt.Errorf("no Google credentials: set GOOGLE_APPLICATION_CREDENTIALS to a key file, or run gcloud auth application-default login (%v)", err)
	}
	return nil
}

// commandLogger is the logger --log-level and --log-format ask for, on
// stderr; engines log their SQL to it at debug level.
func commandLogger(cmd *cobra.Command) (*slog.Logger, error) { return newLogger(cmd, os.Stderr) }

// openWarehouse opens a warehouse URL for loading, through the registry.
// Engines that read the bucket themselves are handed it.
func openWarehouse(cmd *cobra.Command, raw string, b *blob.Bucket, bucketURL string) (warehouse.Engine, warehouse.Warehouse, error) {
	log, err := commandLogger(cmd)
	if err != nil {
		return warehouse.Engine{}, nil, err
	}
	wait := defaultLockWait
	if cmd.Flags().Lookup("lock-wait") != nil {
		wait, _ = cmd.Flags().GetDuration("lock-wait")
	}
	return engines.Open(cmd.Context(), raw, warehouse.Options{Bucket: b, BucketURL: bucketURL, Logger: log, Now: time.Now, LockWait: wait})
}

// defaultLockWait is how long a command that writes an embedded database
// file waits for another process to let it go: synctrack serve holds it
// for a page at a time, and a second at most however busy it is.
const defaultLockWait = 5 * time.Second

// openReader opens a warehouse URL to read what is loaded (status, report,
// records, views), read-only where the engine has that mode. A local
// database that does not exist yet, or has no synctrack schema, is a usage
// error; a server's schema without tables reads as empty.
func openReader(cmd *cobra.Command, raw string) (warehouse.Warehouse, error) {
	w, err := openAnyReader(cmd, raw)
	if err != nil {
		return nil, err
	}
	if err := checkSchema(cmd, raw, w); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// openAnyReader is openReader for a reader that does not need synctrack's
// schema to be there: query, whose SQL names what it reads, and plan, for
// which a schema no load has made is an empty ledger.
func openAnyReader(cmd *cobra.Command, raw string) (warehouse.Warehouse, error) {
	wait, err := lockWait(cmd)
	if err != nil {
		return nil, err
	}
	exists, err := warehouseExists(raw)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, usageError("warehouse %s has no database file yet: run synctrack load first", raw)
	}
	log, err := commandLogger(cmd)
	if err != nil {
		return nil, err
	}
	_, w, err := engines.Open(cmd.Context(), raw, warehouse.Options{ReadOnly: true, Logger: log, Now: time.Now, LockWait: wait})
	return w, err
}

// addLockWait gives a command that reads the warehouse --lock-wait: a
// DuckDB file a load is writing cannot be read until the load commits,
// and such a command exited 3 at once, where a daemon's cycle takes a
// second or two (a user audit).
func addLockWait(c *cobra.Command) {
	c.Flags().Duration("lock-wait", defaultLockWait, "how long to wait for a load that holds the DuckDB file before exiting 3")
}

// lockWait is the command's --lock-wait, or the default for one without.
func lockWait(cmd *cobra.Command) (time.Duration, error) {
	if cmd.Flags().Lookup("lock-wait") == nil {
		return defaultLockWait, nil
	}
	wait, _ := cmd.Flags().GetDuration("lock-wait")
	if wait < 0 {
		return 0, usageError("--lock-wait %v: want 0 (do not wait) or more", wait)
	}
	return wait, nil
}

// checkSchema refuses a warehouse without its schema, where the engine can
// tell cheaply (warehouse.SchemaFinder): every read of it would fail as a
// missing table, which reads like a bug in synctrack's SQL.
func checkSchema(cmd *cobra.Command, raw string, w warehouse.Warehouse) error {
	return checkSchemaOf(cmd, raw, w, w.Schema())
}

// checkSchemaOf is checkSchema for any handle that reads the warehouse.
func checkSchemaOf(cmd *cobra.Command, raw string, q any, schema string) error {
	f, ok := q.(warehouse.SchemaFinder)
	if !ok {
		return nil
	}
	found, schemas, err := f.FindSchema(cmd.Context())
	if err != nil || found {
		return err
	}
	has := "no schema of its own"
	if len(schemas) > 0 {
		has = "it has: " + strings.Join(schemas, ", ")
	}
	return usageError("warehouse %s: no schema %q in this database (%s); check ?schema= or run synctrack load first",
		raw, schema, has)
}

// openExisting opens a warehouse URL for writing (views, retry) only if it
// exists: these commands change what a load made, so a local database that
// is not there yet, or a database without the synctrack schema (where the
// engine can tell: warehouse.SchemaFinder), is a usage error (what says
// why), not a new empty file or schema.
func openExisting(cmd *cobra.Command, raw, what string) (warehouse.Warehouse, error) {
	e, err := engines.Check(raw)
	if err != nil {
		return nil, err
	}
	if e.Exists != nil {
		exists, err := e.Exists(raw)
		if err != nil {
			return nil, err
		}
		if !exists {
			return nil, usageError("warehouse %s has no database file yet: %s", raw, what)
		}
	}
	if warehouse.Can[warehouse.SchemaFinder](e) {
		// Opening it for writing would create the schema, so look for it
		// read-only first (a few milliseconds).
		r, err := openReader(cmd, raw)
		if err != nil {
			return nil, err
		}
		r.Close()
	}
	_, w, err := openWarehouse(cmd, raw, nil, "")
	return w, err
}

// warehouseExists says whether there is a warehouse at raw to read yet.
func warehouseExists(raw string) (bool, error) {
	e, err := engines.Check(raw)
	if err != nil || e.Exists == nil {
		return err == nil, err
	}
	return e.Exists(raw)
}

// warehouseHelp is the --warehouse flag's help, listing every engine.
func warehouseHelp() string {
	return "warehouse URL: " + engines.Examples() + " (env SYNCTRACK_WAREHOUSE)"
}
