package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
)

const loadHelp = `Load everything new in the bucket into the warehouse, exactly once.

Each object version (key + etag) is loaded once: a second load with nothing new
loads nothing, a new batch file in an old run folder loads just that file, and an
object that changed replaces its rows. Objects that fail (a truncated parquet file,
a malformed metadata.json) are recorded in load_ledger with the reason and retried
on the next load; the rest of the bucket still loads.

Ctrl-C or SIGTERM stops a load at once: its batch in flight rolls back, what
loaded before it stays loaded (exit 3; the next load does the rest). A second
one, while that rollback runs, ends the process at once: what was not committed
is not loaded, as after kill -9. (The daemon, synctrack run, lets the load in
flight finish for --grace-period on the first and rolls it back on the second.)

--retention DAYS keeps that many UTC days of records (today included): after
each load, rows whose batch_started_at is older are deleted on every engine, and
a file left without rows is marked expired in load_ledger, so it is never loaded
again while it stays in the bucket (a new version of it loads, and expires again
if its rows are as old). Default 0: keep everything.

Examples:
  synctrack load --bucket file:///data/bucket --warehouse duckdb://./sync-logs.duckdb
  synctrack load --bucket 's3://my-bucket?region=us-east-1' --warehouse duckdb:///var/lib/sync-logs.duckdb`

func newLoadCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "load --bucket URL --warehouse URL",
		Short: "Load new Sync Tracking files into the warehouse",
		Long:  loadHelp,
		Args:  noArgs,
		RunE:  runLoad,
	}
	addTargetFlags(c)
	c.Flags().String("mode", "loaded", "loaded (copy rows into tables) or external (register files in place; engines: "+
		strings.Join(engines.With[warehouse.ExternalTables](), ", ")+")")
	c.Flags().Bool("setup", false, "create the warehouse's stage over the bucket first (engines: "+
		strings.Join(engines.With[warehouse.BucketSetup](), ", ")+"; Snowflake needs storage_integration= in the URL)")
	c.Flags().Bool("dry-run", false, "show what would load, write nothing (same as plan)")
	c.Flags().String("stage-dir", "", stageDirHelp)
	c.Flags().Int("workers", loader.DefaultWorkers, "objects read at once: downloads, footer checks, metadata.json (object stores answer each read after tens of ms)")
	c.Flags().Int("batch-files", 0, "most files per load statement (0: the warehouse's default; DuckDB 1,000)")
	c.Flags().Int64("batch-bytes", 0, "most bytes staged per load statement (0: DuckDB 256 MiB; no limit where nothing is staged)")
	c.Flags().Duration("settle", 30*time.Second, "file:// buckets: a file changed this recently that does not read whole is left for the next load, not failed")
	c.Flags().Bool("progress", isTerminal(os.Stderr), "show progress on stderr (default on a terminal)")
	c.Flags().Int("quarantine-after", loader.DefaultQuarantineAfter, "failed tries after which an object is quarantined: not read again until synctrack retry (0: never)")
	c.Flags().Int("retention", 0, retentionHelp)
	c.Flags().Duration("lock-wait", defaultLockWait, "how long to wait for another process's hold before exiting 3: DuckDB's database file (synctrack serve lets it go between pages), PostgreSQL's schema (another load holds its load lock)")
	return c
}

// addTargetFlags adds --bucket and --warehouse.
func addTargetFlags(c *cobra.Command) {
	c.Flags().String("bucket", "", "bucket URL: s3://b?region=.., gs://b, file:///abs/dir, mem:// (env SYNCTRACK_BUCKET)")
	c.Flags().String("warehouse", "", warehouseHelp())
}

func runLoad(cmd *cobra.Command, _ []string) error {
	t, err := startLoad(cmd)
	if err != nil {
		return err
	}
	defer t.bucket.Close()
	if dry, _ := cmd.Flags().GetBool("dry-run"); dry {
		return planBucket(cmd, t.bucket, t.root)
	}
	ctx := cmd.Context()
	// Said when it happens, not when the load returns: a rollback on a
	// remote warehouse can take a while, and the next signal exits at once.
	defer context.AfterFunc(ctx, func() {
		t.log.Warn("interrupted: cancelling the load; its batch in flight rolls back, what loaded before it stays loaded; " +
			"Ctrl-C or SIGTERM again exits at once")
	})()
	wh, err := openLoadWarehouse(cmd, t)
	if err != nil {
		return err
	}
	defer wh.Close()
	rep, err := loader.New(t.bucket, t.root, wh, loadOptions(cmd, t)).Load(ctx)
	if rep != nil {
		printReport(cmd.OutOrStdout(), rep)
		noteEmptyBucket(cmd.OutOrStdout(), rep.Listed, t.bucketURL)
	}
	if err != nil && ctx.Err() != nil {
		return &exitError{code: exitUnavailable, err: errors.New("load interrupted: the batch in flight rolled back; " +
			"what loaded before it stays loaded, and the next load loads the rest")}
	}
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	t.log.Info("load finished", "files", rep.Files, "rows", rep.Rows, "failed", len(rep.Failed), "elapsed", rep.Elapsed)
	if len(rep.Failed) > 0 || len(rep.BadKeys) > 0 || len(rep.ViewErrors) > 0 {
		return &exitError{code: exitFailed}
	}
	return nil
}

// openLoadWarehouse opens the warehouse t loads into, for --mode external
// if asked, and makes its stage over the bucket first with --setup.
func openLoadWarehouse(cmd *cobra.Command, t *loadTarget) (warehouse.Warehouse, error) {
	_, wh, err := openWarehouse(cmd, t.whURL, t.bucket, t.bucketURL)
	if err != nil {
		return nil, err
	}
	if t.mode == "external" {
		wh.(warehouse.ExternalTables).UseExternalTables()
	}
	if t.setup {
		s := wh.(warehouse.BucketSetup)
		if err := s.SetUpBucket(cmd.Context(), t.bucketURL); err != nil {
			wh.Close()
			return nil, fmt.Errorf("setup: %w", err)
		}
		if n, ok := wh.(warehouse.Notifier); ok && n.NotificationChannel() != "" {
			fmt.Fprintf(cmd.OutOrStdout(), "AUTO_REFRESH is on: send the bucket's object-created event notifications to %s\n", n.NotificationChannel())
		}
	}
	return wh, nil
}

// loadOptions are the loader's options the load's flags ask for.
func loadOptions(cmd *cobra.Command, t *loadTarget) loader.Options {
	o := loader.Options{Logger: t.log, FindUnbuiltViews: true}
	o.StageDir, _ = cmd.Flags().GetString("stage-dir")
	o.BatchFiles, _ = cmd.Flags().GetInt("batch-files")
	o.Workers, _ = cmd.Flags().GetInt("workers")
	o.BatchBytes, _ = cmd.Flags().GetInt64("batch-bytes")
	o.Settle, _ = cmd.Flags().GetDuration("settle")
	o.QuarantineAfter, _ = cmd.Flags().GetInt("quarantine-after")
	if o.QuarantineAfter == 0 {
		o.QuarantineAfter = -1 // the flag's 0 is never; the option's 0 is the default
	}
	o.RetentionDays = t.retention
	if p, _ := cmd.Flags().GetBool("progress"); p {
		o.Progress = progressFor(cmd, t.log)
	}
	return o
}

func printReport(w io.Writer, r *loader.Report) {
	fmt.Fprintf(w, "listed %d objects: %d already loaded, %d loaded now%s, %d ignored, %d failed (%s)\n",
		r.Listed, r.UpToDate, r.Files, loadedNow(r), r.Ignored, len(r.Failed), r.Elapsed.Round(time.Millisecond))
	if r.Pending > 0 {
		fmt.Fprintf(w, "%d recently written local files did not read whole yet: left for the next load\n", r.Pending)
	}
	for _, k := range r.BadKeys {
		fmt.Fprintf(w, "NOT LOADED %q: the name is not UTF-8 (no warehouse can keep it); rename the file\n", k)
	}
	for _, f := range r.Failed {
		// The message quotes the file's values: no control character
		// reaches the terminal, and each failure is one line.
		fmt.Fprintf(w, "FAILED %s: %s\n", export.EscapeControls(f.Key), export.EscapeControls(f.Err.Error()))
	}
	if len(r.Failed) > 0 {
		// What happens next, which a FAILED line alone does not say.
		which := "the failed object"
		if len(r.Failed) > 1 {
			which = fmt.Sprintf("the %d failed objects", len(r.Failed))
		}
		fmt.Fprintf(w, "the next load tries %s again (a fixed file put in its place loads as new; synctrack status shows the attempts so far); "+
			"an object that fails --quarantine-after times (5 unless set) is quarantined\n", which)
	}
	if r.Quarantined > 0 {
		fmt.Fprintf(w, "%d of them failed too often and are now quarantined: loads skip them until synctrack retry\n", r.Quarantined)
	}
	if r.Expired.Rows > 0 || r.Expired.Files > 0 {
		fmt.Fprintf(w, "retention: %d rows older than the kept days deleted, %d files expired (kept in the ledger, never loaded again)\n",
			r.Expired.Rows, r.Expired.Files)
	}
	if len(r.Deleted) > 0 {
		fmt.Fprintf(w, "%d failed or quarantined objects are no longer in the bucket: marked deleted in the ledger, no longer reported\n", len(r.Deleted))
	}
	if len(r.DeletedFacts) > 0 {
		fmt.Fprintf(w, "%d loaded fact files are no longer in the bucket: their rows left the fact tables, rebuilt from the files there; marked deleted in the ledger\n",
			len(r.DeletedFacts))
	}
	if n := len(r.ViewsPending); n > 0 {
		fmt.Fprintf(w, "the typed views of %d syncs (%s) are not rebuilt: what loaded of their runs is in the tables, the views read as before; "+
			"synctrack views rebuilds every sync's (so does the daemon's next cycle, or a load of a new run of theirs)\n",
			n, export.EscapeControls(strings.Join(firstOf(r.ViewsPending, 5), ", ")))
	}
	printViewErrors(w, r.ViewErrors, (error).Error,
		" (its rows are loaded; its view stays as it was until a load of its next run, or synctrack views, rebuilds it)")
	if r.InQuarantine > 0 {
		fmt.Fprintf(w, "%d quarantined objects were not read (synctrack status lists them; synctrack retry puts them back)\n", r.InQuarantine)
	}
}

// loadedNow says what the objects loaded now were: rows into sync_records
// from how many runs, or only metadata and fact files, whose rows are not
// counted (nothing when nothing loaded).
func loadedNow(r *loader.Report) string {
	switch {
	case r.Files == 0:
		return ""
	case r.Rows == 0:
		return " (no records rows: metadata.json and fact files)"
	}
	return fmt.Sprintf(" (%d rows into sync_records, %d runs)", r.Rows, r.Runs)
}

// noteEmptyBucket says where load and plan looked when they found nothing
// there: most often --bucket names another folder or bucket, which is no
// error (a new bucket is empty too) but should not pass unseen.
func noteEmptyBucket(w io.Writer, listed int, bucketURL string) {
	if listed == 0 {
		fmt.Fprintf(w, "nothing under %s or %s in bucket %s: if files were expected there, check --bucket "+
			"(a file:// bucket is the folder holding %s)\n", loader.RunsPrefix, loader.FactsPrefix, bucketURL, loader.RunsPrefix)
		if above, folder, ok := bucketAbove(bucketURL); ok {
			fmt.Fprintf(w, "--bucket points inside %s, a folder synctrack finds in the bucket itself: try --bucket %s\n", folder, above)
		}
	}
}

// bucketAbove is bucketURL cut before its first path segment that is one of
// the folders synctrack lists in a bucket (sync_tracking_datasets/,
// metadata/): a bucket URL one level or more too deep, as pasted from a
// console or a file manager showing the runs, lists nothing. folder is
// that segment, with its slash.
func bucketAbove(bucketURL string) (above, folder string, ok bool) {
	u, err := url.Parse(bucketURL)
	if err != nil {
		return "", "", false
	}
	segs := strings.Split(u.Path, "/")
	for i, seg := range segs {
		for _, p := range []string{loader.RunsPrefix, loader.FactsPrefix} {
			if seg+"/" == p {
				u.Path = strings.Join(segs[:i], "/")
				u.RawPath = ""
				return u.String(), p, true
			}
		}
	}
	return "", "", false
}

// progressPrinter rewrites one line on a terminal while a long listing goes
// on, then as records start loading and after each batch.
func progressPrinter(w io.Writer, start time.Time) func(loader.Progress) {
	return func(p loader.Progress) {
		if p.Listing || p.FilesTotal == 0 {
			fmt.Fprintf(w, "\rlisting the bucket: %d objects", p.Listed)
			if !p.Listing {
				fmt.Fprintln(w, ", done")
			}
			return
		}
		secs := time.Since(start).Seconds()
		fmt.Fprintf(w, "\rrecords files %d/%d, %d rows, %.0f rows/s   ", p.FilesDone, p.FilesTotal, p.Rows, float64(p.Rows)/max(secs, 0.001))
		if p.FilesDone == p.FilesTotal {
			fmt.Fprintln(w)
		}
	}
}

func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}

// stageDirHelp is --stage-dir's help, on load and run.
const stageDirHelp = "folder in which a load makes its staging area for remote objects (a synctrack-stage-* folder, removed after; default: $TMPDIR)"

const retentionHelp = "keep this many UTC days of records, today included: after each load, older rows are deleted " +
	"and their files marked expired, never loaded again (0: keep everything)"

// firstOf is the first n of xs, and "..." when there are more.
func firstOf(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(slices.Clone(xs[:n]), "...")
}
