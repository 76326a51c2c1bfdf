package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
)

func newPlanCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "plan --bucket URL --warehouse URL",
		Short: "Show what a load would do: files, bytes, runs; writes nothing",
		Long: `Lists the bucket, compares it with the warehouse's ledger and prints what a load
would do: files by kind and reason (new, changed, retry), bytes, run folders.
Nothing is written; a warehouse file that does not exist yet counts as empty.

Examples:
  synctrack plan --bucket file:///data/bucket --warehouse duckdb://./sync-logs.duckdb
  synctrack plan --bucket 's3://my-bucket?region=us-east-1' --warehouse duckdb://./sync-logs.duckdb -v`,
		Args: noArgs,
		RunE: runPlan,
	}
	addTargetFlags(c)
	addLockWait(c)
	c.Flags().BoolP("verbose", "v", false, "list every object the load would touch")
	c.Flags().Bool("progress", isTerminal(os.Stderr), "show how far a long listing has got, on stderr (default on a terminal)")
	return c
}

func runPlan(cmd *cobra.Command, _ []string) error {
	ctx := cmd.Context()
	bucketURL, _ := cmd.Flags().GetString("bucket")
	whURL, _ := cmd.Flags().GetString("warehouse")
	log, err := commandLogger(cmd)
	if err != nil {
		return err
	}
	b, root, err := openBucket(ctx, bucketURL, log)
	if err != nil {
		return err
	}
	defer b.Close()
	if _, err := engines.CheckTarget(whURL, bucketURL, false); err != nil {
		return err
	}
	// What a load would refuse (a DuckDB file's folder missing, or a
	// file), plan refuses too, as load does: it said what would load.
	if err := engines.CheckPlace(whURL); err != nil {
		return err
	}
	return planBucket(cmd, b, root)
}

// planBucket prints what a load of bucket b (root: a file:// bucket's
// folder) into --warehouse would do: plan's, and load --dry-run's once it
// has made the load's checks (startLoad).
func planBucket(cmd *cobra.Command, b *blob.Bucket, root string) error {
	ctx := cmd.Context()
	bucketURL, _ := cmd.Flags().GetString("bucket")
	whURL, _ := cmd.Flags().GetString("warehouse")
	prefixes := []string{loader.RunsPrefix, loader.FactsPrefix}
	// A database file that does not exist yet is an empty ledger; plan creates nothing.
	exists, err := warehouseExists(whURL)
	if err != nil {
		return err
	}
	// The ledger is read by prefix alongside the listing, never whole.
	var src loader.LedgerSource = loader.Ledger{}
	if exists {
		w, err := openAnyReader(cmd, whURL)
		if err != nil {
			return err
		}
		defer w.Close()
		// A schema no load has made is an empty ledger too (the load
		// creates it).
		if f, ok := w.(warehouse.SchemaFinder); ok {
			found, _, err := f.FindSchema(ctx)
			if err != nil {
				return err
			}
			if found {
				src = w
			}
		} else {
			src = w
		}
	}
	var progress func(loader.Progress)
	if on, _ := cmd.Flags().GetBool("progress"); on {
		log, err := commandLogger(cmd)
		if err != nil {
			return err
		}
		progress = progressFor(cmd, log)
	}
	ls, listed := loader.ListProgress(loader.BucketListings(b, root, prefixes, 0), progress)
	p, err := loader.PlanStream(ctx, src, ls)
	listed()
	if err != nil {
		return err
	}
	verbose, _ := cmd.Flags().GetBool("verbose")
	printPlan(cmd.OutOrStdout(), p, verbose)
	noteEmptyBucket(cmd.OutOrStdout(), p.Listed, bucketURL)
	return nil
}

func printPlan(w io.Writer, p *loader.Plan, verbose bool) {
	count := func(ws []loader.Work) string {
		m := map[string]int{}
		for _, x := range ws {
			m[x.Reason]++
		}
		var parts []string
		for _, r := range []string{loader.ReasonNew, loader.ReasonChanged, loader.ReasonRetry} {
			if m[r] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", m[r], r))
			}
		}
		if len(parts) == 0 {
			return ""
		}
		return " (" + strings.Join(parts, ", ") + ")"
	}
	fmt.Fprintf(w, "listed %d objects, %d already loaded", p.Listed, p.UpToDate)
	if p.Quarantined > 0 {
		fmt.Fprintf(w, ", %d quarantined (not read again until synctrack retry; synctrack status lists them)", p.Quarantined)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "would load: %d records files%s, %d metadata.json%s, %d bytes, %d run folders\n",
		len(p.Records), count(p.Records), len(p.Metadata), count(p.Metadata), p.Bytes(), p.Runs())
	tables := make([]string, 0, len(p.Facts))
	for t := range p.Facts {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		fmt.Fprintf(w, "would rebuild fact table %s from %d files", t, len(p.Facts[t]))
		if n := len(p.GoneFacts[t]); n > 0 {
			fmt.Fprintf(w, ", without the rows of %d loaded files no longer in the bucket (marked deleted)", n)
		}
		fmt.Fprintln(w)
	}
	if len(p.Ignored) > 0 {
		fmt.Fprintf(w, "would ignore %d objects that are not Sync Tracking data\n", len(p.Ignored))
	}
	for _, o := range p.BadKeys {
		fmt.Fprintf(w, "would not load %q: the name is not UTF-8 (no warehouse can keep it); rename the file\n", o.Key)
	}
	if len(p.Gone) > 0 {
		fmt.Fprintf(w, "would mark deleted %d failed or quarantined objects no longer in the bucket\n", len(p.Gone))
	}
	if !verbose {
		return
	}
	for _, ws := range [][]loader.Work{p.Metadata, p.Records} {
		for _, x := range ws {
			fmt.Fprintf(w, "  %-7s %10d  %s\n", x.Reason, x.Size, export.EscapeControls(x.Key))
		}
	}
	for _, o := range p.Ignored {
		fmt.Fprintf(w, "  ignore  %10d  %s\n", o.Size, export.EscapeControls(o.Key))
	}
	for _, v := range p.Gone {
		fmt.Fprintf(w, "  deleted %10s  %s\n", v.Status, export.EscapeControls(v.Key))
	}
	for _, t := range tables {
		for _, v := range p.GoneFacts[t] {
			fmt.Fprintf(w, "  deleted %10s  %s\n", v.Status, export.EscapeControls(v.Key))
		}
	}
}
