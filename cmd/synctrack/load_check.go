package main

import (
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
)

// loadTarget is what load has checked and opened before it opens the
// warehouse: its logger, the bucket, and the flags that say how to load.
type loadTarget struct {
	log                    *slog.Logger
	bucket                 *blob.Bucket
	root                   string // a file:// bucket's folder
	bucketURL, whURL, mode string
	setup                  bool
	retention              int
}

// startLoad makes every check load makes before it opens the warehouse,
// in that order, and opens the bucket. load --dry-run makes the same, so
// that it refuses what the load would, with the same message and exit
// code (it said "would load" for a DuckDB file whose folder is missing,
// and named another error than the load's when two were wrong). Nothing
// is written: --retention is read here, not after the warehouse is opened
// (which made the DuckDB file before refusing -1).
func startLoad(cmd *cobra.Command) (*loadTarget, error) {
	if err := checkLoadFlags(cmd); err != nil {
		return nil, err
	}
	t := &loadTarget{}
	t.mode, _ = cmd.Flags().GetString("mode")
	if t.mode != "loaded" && t.mode != "external" {
		return nil, usageError("--mode %q: want loaded or external", t.mode)
	}
	t.setup, _ = cmd.Flags().GetBool("setup")
	var err error
	if t.retention, err = retentionDays(cmd); err != nil {
		return nil, err
	}
	if t.log, err = newLogger(cmd, os.Stderr); err != nil {
		return nil, err
	}
	t.bucketURL, _ = cmd.Flags().GetString("bucket")
	t.whURL, _ = cmd.Flags().GetString("warehouse")
	if t.bucket, t.root, err = openBucket(cmd.Context(), t.bucketURL, t.log); err != nil {
		return nil, err
	}
	if err := checkLoadTarget(t.whURL, t.bucketURL, t.mode, t.setup); err != nil {
		t.bucket.Close()
		return nil, err
	}
	return t, nil
}

// checkLoadFlags refuses numbers that mean nothing (a negative count or
// wait, no workers) before anything is opened, rather than let the loader
// take its default for them.
func checkLoadFlags(cmd *cobra.Command) error {
	if n, _ := cmd.Flags().GetInt("workers"); n < 1 {
		return usageError("--workers %d: want 1 or more objects read at once", n)
	}
	for _, f := range []struct{ name, zero string }{{"batch-files", "the warehouse's default"}, {"quarantine-after", "never"}} {
		if err := checkCount(cmd, f.name, f.zero); err != nil {
			return err
		}
	}
	if n, _ := cmd.Flags().GetInt64("batch-bytes"); n < 0 {
		return usageError("--batch-bytes %d: want 0 or more (0: the warehouse's default)", n)
	}
	for _, name := range []string{"settle", "lock-wait"} {
		if d, _ := cmd.Flags().GetDuration(name); d < 0 {
			return usageError("--%s %v: want 0 or more", name, d)
		}
	}
	return nil
}

// checkLoadTarget refuses, before the warehouse is opened, a bucket an
// engine that reads the bucket itself cannot read, --mode external or
// --setup on an engine without them, and a DuckDB file a load could not
// make where the URL puts it (engines.CheckPlace, as the daemon's start
// checks it).
func checkLoadTarget(whURL, bucketURL, mode string, setup bool) error {
	eng, err := engines.CheckTarget(whURL, bucketURL, mode == "external")
	if err != nil {
		return err
	}
	if mode == "external" && !warehouse.Can[warehouse.ExternalTables](eng) {
		return usageError("--mode external registers files as external tables, which %s cannot (engines that can: %s); use --mode loaded",
			eng.Name, strings.Join(engines.With[warehouse.ExternalTables](), ", "))
	}
	if setup && !warehouse.Can[warehouse.BucketSetup](eng) {
		return usageError("--setup creates the warehouse's stage over the bucket, which %s has none of (engines with one: %s)",
			eng.Name, strings.Join(engines.With[warehouse.BucketSetup](), ", "))
	}
	return engines.CheckPlace(whURL)
}

// checkCount refuses int flag name, a count, when negative, saying what 0
// means (zero).
func checkCount(cmd *cobra.Command, name, zero string) error {
	if n, _ := cmd.Flags().GetInt(name); n < 0 {
		return usageError("--%s %d: want 0 or more (0: %s)", name, n, zero)
	}
	return nil
}

// retentionDays reads --retention.
func retentionDays(cmd *cobra.Command) (int, error) {
	n, _ := cmd.Flags().GetInt("retention")
	if n < 0 {
		return 0, usageError("--retention %d: want a number of days, or 0 to keep everything", n)
	}
	return n, nil
}
