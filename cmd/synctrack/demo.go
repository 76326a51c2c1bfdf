package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/reportrun"
	"github.com/synctrack/synctrack/loader"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse/engines"
)

func newDemoCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "demo",
		Short: "Generate a sample bucket, load it into ./synctrack-demo.duckdb, print a rejection summary",
		Long: `Generates a sample Sync Tracking bucket in a temp dir, loads it into a local DuckDB
file (no server needed), and prints the rejections grouped by status message with
a count and a few identifiers. Afterwards, query the file yourself:

  duckdb synctrack-demo.duckdb "SELECT outcome, count(*) FROM synctrack.sync_log GROUP BY 1"`,
		Args: cobra.NoArgs,
		RunE: runDemo,
	}
	c.Flags().String("warehouse", engines.Embedded().Local("./synctrack-demo.duckdb"), "where to load the demo")
	c.Flags().Bool("keep", false, "keep the generated bucket (its path is printed)")
	return c
}

func runDemo(cmd *cobra.Command, _ []string) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	log, err := newLogger(cmd, os.Stderr)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "synctrack-demo-bucket-")
	if err != nil {
		return err
	}
	if keep, _ := cmd.Flags().GetBool("keep"); !keep {
		defer os.RemoveAll(dir)
	}
	m, dir, err := generateInto(cmd, dir, gen.DefaultOptions())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "generated %d objects (%d runs, %d records rows) in %s\n", len(m.Files), m.Runs, m.Rows, dir)
	whURL, _ := cmd.Flags().GetString("warehouse")
	b, root, err := openBucket(ctx, "file://"+filepath.ToSlash(dir))
	if err != nil {
		return err
	}
	defer b.Close()
	_, wh, err := openWarehouse(cmd, whURL, b, "file://"+filepath.ToSlash(dir))
	if err != nil {
		return err
	}
	defer wh.Close()
	rep, err := loader.New(b, root, wh, loader.Options{Logger: log}).Load(ctx)
	if rep != nil {
		printReport(out, rep)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nRejections by message (%s):\n", whURL)
	ew, err := export.New("table", out)
	if err != nil {
		return err
	}
	if _, err := reportrun.Run(ctx, wh, "rejections_by_message", analysis.Values{analysis.ParamLimit: 10}, ew); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nNext: synctrack status --warehouse %s\n", whURL)
	return nil
}
