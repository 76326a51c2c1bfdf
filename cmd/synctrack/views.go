package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newViewsCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "views --warehouse URL",
		Short: "Install the parameter-free analysis templates as views (every load does this too)",
		Args:  cobra.NoArgs,
		RunE:  runViews,
	}
	c.Flags().String("warehouse", "", "warehouse URL, e.g. duckdb://./sync-logs.duckdb (env SYNCTRACK_WAREHOUSE)")
	return c
}

func runViews(cmd *cobra.Command, _ []string) error {
	ctx := cmd.Context()
	whURL, _ := cmd.Flags().GetString("warehouse")
	w, err := openDuckDB(ctx, whURL, false)
	if err != nil {
		return err
	}
	defer w.Close()
	names, err := w.InstallReportViews(ctx)
	if err != nil {
		return fmt.Errorf("install views: %w", err)
	}
	for _, n := range names {
		fmt.Fprintf(cmd.OutOrStdout(), "%s.%s\n", w.Schema(), n)
	}
	return nil
}
