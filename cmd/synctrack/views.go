package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newViewsCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "views --warehouse URL",
		Short: "Install the parameter-free analysis templates as views (every load does this too)",
		Long: `Creates or replaces one view per analysis template that takes no parameter
(run_summary, rejections_by_fingerprint, ...), named as the template, in the
warehouse's schema, on every engine. Every load does this too; run it after an
upgrade to bring the views in step with the binary.`,
		Args: cobra.NoArgs,
		RunE: runViews,
	}
	c.Flags().String("warehouse", "", warehouseHelp())
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
	return nil
}
