package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

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

  synctrack query --warehouse duckdb://./synctrack-demo.duckdb "SELECT outcome, count(*) FROM synctrack.sync_log GROUP BY 1"

or with the duckdb CLI: duckdb -readonly synctrack-demo.duckdb`,
		Args: noArgs,
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
	// Output piped to a reader that leaves early (demo | head) would end
	// the process at the next write, before the bucket below is removed:
	// such writes fail instead, and the demo runs to its end.
	signal.Ignore(syscall.SIGPIPE)
	// A warehouse file the load could not make is refused before the
	// bucket is generated, as load refuses it.
	whURL, _ := cmd.Flags().GetString("warehouse")
	if err := engines.CheckPlace(whURL); err != nil {
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
	kept := " (removed at the end: --keep keeps it)"
	if keep, _ := cmd.Flags().GetBool("keep"); keep {
		kept = ""
	}
	fmt.Fprintf(out, "generated %d objects (%d runs, %d records rows) in %s%s\n", len(m.Files), m.Runs, m.Rows, dir, kept)
	b, root, err := openBucket(ctx, "file://"+filepath.ToSlash(dir), log)
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
	self := selfCommand()
	fmt.Fprintf(out, "\nNext:\n  %s status --warehouse %s\n", self, whURL)
	fmt.Fprintf(out, "  %s query --warehouse %s \"SELECT outcome, count(*) FROM synctrack.sync_log GROUP BY 1\"\n", self, whURL)
	return nil
}

// selfCommand is how to run this program again the way the user just did:
// "./synctrack" or a full path as typed, "synctrack" when found on PATH,
// and "go run ./cmd/synctrack" for the binary go run builds in its cache.
func selfCommand() string {
	arg0 := os.Args[0]
	switch {
	case strings.Contains(filepath.ToSlash(arg0), "/go-build"):
		return "go run ./cmd/synctrack"
	case !strings.ContainsRune(arg0, os.PathSeparator):
		return filepath.Base(arg0)
	}
	return arg0
}
