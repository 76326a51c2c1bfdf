package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/internal/reportrun"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

const dryRunHelp = "print the bytes the query would read (BigQuery's dry run: what on-demand pricing bills), run nothing"

// dryRun binds template name with v on the warehouse and prints what the
// engine's dry run says the query would read, instead of running it. Only
// an engine that can say (warehouse.Estimator) takes --dry-run.
func dryRun(cmd *cobra.Command, whURL, name string, v analysis.Values) error {
	wh, err := openReader(cmd, whURL)
	if err != nil {
		return err
	}
	defer wh.Close()
	est, ok := wh.(warehouse.Estimator)
	if !ok {
		return usageError("--dry-run: %s cannot say what a query would read without running it; only BigQuery's dry run can", wh.Dialect().Name())
	}
	q, err := analysis.Bind(wh.Dialect(), wh.Schema(), name, v)
	if err != nil {
		return usageError("%v", err)
	}
	n, err := est.EstimateBytes(cmd.Context(), q.SQL, reportrun.Args(q))
	if err != nil {
		return fmt.Errorf("%s: dry run: %w", name, err)
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s would read %d bytes (%s); nothing was run\n", name, n, humanBytes(n))
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
