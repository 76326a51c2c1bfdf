package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/internal/reportrun"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
)

const dryRunHelp = "print the bytes the query would process (BigQuery's dry run; on-demand pricing bills them, at least 10 MB a table), run nothing"

// dryRun binds template name with v on the warehouse and prints what the
// engine's dry run says the query would read, instead of running it. Only
// an engine that can say (warehouse.Estimator) takes --dry-run.
func dryRun(cmd *cobra.Command, whURL, name string, v analysis.Values) error {
	for _, f := range []string{"format", "out"} {
		if fl := cmd.Flags().Lookup(f); fl != nil && fl.Changed {
			return usageError("--dry-run prints what the query would read and writes no rows: drop --%s", f)
		}
	}
	eng, err := engines.Check(whURL)
	if err != nil {
		return err
	}
	noDryRun := usageError("--dry-run: %s cannot say what a query would read without running it; only BigQuery's dry run can", eng.Name)
	if !warehouse.Can[warehouse.Estimator](eng) {
		return noDryRun
	}
	wh, err := openReader(cmd, whURL)
	if err != nil {
		return err
	}
	defer wh.Close()
	est, ok := wh.(warehouse.Estimator)
	if !ok {
		return noDryRun
	}
	q, err := analysis.Bind(wh.Dialect(), wh.Schema(), name, v)
	if err != nil {
		return usageError("%v", err)
	}
	n, err := est.EstimateBytes(cmd.Context(), q.SQL, reportrun.Args(q))
	if err != nil {
		return fmt.Errorf("%s: dry run: %w", name, err)
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s would process %d bytes (%s); nothing was run\n", name, n, humanBytes(n))
	return err
}

// humanBytes is n in the largest binary unit that keeps it at least 1.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}
