package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
)

func newViewsCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "views --warehouse URL",
		Short: "Install the analysis views and rebuild every sync's typed view (every load does this too)",
		Long: `Creates or replaces one view per analysis template that takes no parameter
(run_summary, rejections_by_fingerprint, ...), named as the template, in the
warehouse's schema, on every engine, then rebuilds sync_log and each loaded
sync's typed view (sync_records_<sync id>) with this binary's casts. A load
does the same for the syncs it loads; run this after an upgrade to bring
every view in step with the binary, or once an object of yours that stood in
a typed view's way is gone. A sync whose view still cannot be rebuilt is
named with why (VIEW NOT REBUILT), the others are rebuilt, and it exits 1.

Examples:
  synctrack views --warehouse duckdb://./sync-logs.duckdb
  synctrack views --warehouse 'postgres://loader@db.internal:5432/analytics?schema=synctrack'`,
		Args: noArgs,
		RunE: runViews,
	}
	c.Flags().String("warehouse", "", warehouseHelp())
	addLockWait(c)
	return c
}

func runViews(cmd *cobra.Command, _ []string) error {
	whURL, _ := cmd.Flags().GetString("warehouse")
	w, err := openExisting(cmd, whURL, "run synctrack load first")
	if err != nil {
		return err
	}
	defer w.Close()
	names, err := w.InstallViews(cmd.Context())
	if err != nil {
		return fmt.Errorf("install views: %w", err)
	}
	for _, n := range names {
		fmt.Fprintf(cmd.OutOrStdout(), "%s.%s\n", w.Schema(), n)
	}
	syncs, err := loader.LoadedSyncs(cmd.Context(), w)
	if err != nil {
		return fmt.Errorf("list the loaded syncs: %w", err)
	}
	if len(syncs) == 0 {
		return nil
	}
	err = w.RefreshViews(cmd.Context(), syncs)
	var own warehouse.ViewErrors
	if err != nil && !errors.As(err, &own) {
		return fmt.Errorf("rebuild the typed views: %w", err)
	}
	if shared := own.Shared(len(syncs)); shared != nil {
		return fmt.Errorf("rebuild the typed views: %d syncs failed alike, for no sync's own cause: %w", len(own), shared)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "typed views rebuilt: %d, one per sync (payload_columns lists them)\n", len(syncs)-len(own))
	printViewErrors(cmd.OutOrStdout(), own, warehouse.NotLoading, "")
	if len(own) > 0 {
		return &exitError{code: exitFailed}
	}
	return nil
}

// printViewErrors writes a line for each sync whose typed view was not
// rebuilt: its id and its cause as msg words it (load and views word hints
// for what they do), then after; no control character of either reaches
// the terminal.
func printViewErrors(w io.Writer, e warehouse.ViewErrors, msg func(error) string, after string) {
	for _, id := range e.Syncs() {
		fmt.Fprintf(w, "VIEW NOT REBUILT for sync %s: %s%s\n", export.EscapeControls(id), export.EscapeControls(msg(e[id])), after)
	}
}
