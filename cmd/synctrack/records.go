package main

import (
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	analysis "github.com/synctrack/synctrack/sql"
)

const recordsHelp = `Browse the loaded records: filter by sync, run, outcome and identifier, newest
first, and print or export them (no 14-day limit). Rows stream from the warehouse
to the output, so a large export never sits in memory.

Examples:
  synctrack records --warehouse duckdb://./sync-logs.duckdb --status rejected --sync 52275
  synctrack records --warehouse duckdb://./sync-logs.duckdb --identifier CUST-1042
  synctrack records --warehouse duckdb://./sync-logs.duckdb --status invalid --limit 0 --format parquet --out invalid.parquet
  synctrack records --warehouse bigquery://my-project/synctrack --status rejected --format csv --out rejected.csv`

func newRecordsCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "records --warehouse URL",
		Short: "Search and export records by sync, run, outcome and identifier",
		Long:  recordsHelp,
		Args:  noArgs,
		RunE:  runRecords,
	}
	c.Flags().String("warehouse", "", warehouseHelp())
	addLockWait(c)
	addFilterFlags(c, 100)
	c.Flags().String("status", "", "success, rejected or invalid (NULL and DUPLICATE checks, no status)")
	c.Flags().String("identifier", "", "one record's identifier")
	c.Flags().String("format", "table", "table, csv, json or parquet")
	c.Flags().String("out", "", "write to this file instead of stdout (whole or not at all; a pipe, a device or /dev/fd/N the shell opened is written in place)")
	c.Flags().Bool("dry-run", false, dryRunHelp)
	return c
}

func runRecords(cmd *cobra.Command, _ []string) error {
	format, _ := cmd.Flags().GetString("format")
	path, _ := cmd.Flags().GetString("out")
	if err := checkExportFormat(format, path); err != nil {
		return err
	}
	v, err := queryParams(cmd, "sync", "run", "since", "limit", "status", "identifier")
	if err != nil {
		return err
	}
	whURL, _ := cmd.Flags().GetString("warehouse")
	if dry, _ := cmd.Flags().GetBool("dry-run"); dry {
		return dryRun(cmd, whURL, "records", v)
	}
	var n int64
	err = exportTo(cmd, path, "records", func(w io.Writer) (int64, error) {
		n, err = runTemplate(cmd, whURL, "records", v, format, w)
		return n, err
	})
	if err == nil {
		sayLimited(cmd, "records", "records", n)
		sayNoneMatch(cmd, v, n)
	}
	return err
}

// sayNoneMatch says, on stderr, where to find what there is when no record
// matched the filters: a mistyped --sync printed "(0 rows)" and exit 0, as
// a sync with no such records does, with nothing to tell the two apart.
func sayNoneMatch(cmd *cobra.Command, v analysis.Values, n int64) {
	if n > 0 {
		return
	}
	if out, _ := cmd.Flags().GetString("out"); isStderr(out) {
		return
	}
	var filters []any
	for _, p := range []string{analysis.ParamSync, analysis.ParamRun, analysis.ParamIdentifier} {
		if x, ok := v[p]; ok {
			filters = append(filters, p, x)
		}
	}
	if len(filters) > 0 {
		const hint = "synctrack report run_summary lists the syncs and runs loaded"
		note(cmd, slog.LevelWarn, "records: none match; "+hint, "records: none match", append(filters, "hint", hint)...)
	}
}
