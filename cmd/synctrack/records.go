package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
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
		Args:  cobra.NoArgs,
		RunE:  runRecords,
	}
	c.Flags().String("warehouse", "", warehouseHelp())
	addFilterFlags(c, 100)
	c.Flags().String("status", "", "success, rejected or invalid (NULL and DUPLICATE checks, no status)")
	c.Flags().String("identifier", "", "one record's identifier")
	c.Flags().String("format", "table", "table, csv, json or parquet")
	c.Flags().String("out", "", "write to this file instead of stdout")
	return c
}

func runRecords(cmd *cobra.Command, _ []string) error {
	format, _ := cmd.Flags().GetString("format")
	switch format {
	case "table", "csv", "json", "parquet":
	default:
		return usageError("--format %q: want table, csv, json or parquet", format)
	}
	v, err := queryParams(cmd, "sync", "run", "since", "limit", "status", "identifier")
	if err != nil {
		return err
	}
	whURL, _ := cmd.Flags().GetString("warehouse")
	path, _ := cmd.Flags().GetString("out")
	if path == "" {
		if format == "parquet" && isTerminal(os.Stdout) {
			return usageError("--format parquet writes binary: give --out FILE or redirect stdout")
		}
		_, err := runTemplate(cmd, whURL, "records", v, format, cmd.OutOrStdout())
		return err
	}
	// Write beside the target and rename, so a failed export leaves no half file.
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	defer os.Remove(tmp.Name())
	buf := bufio.NewWriterSize(tmp, 1<<20)
	n, err := runTemplate(cmd, whURL, "records", v, format, buf)
	if err == nil {
		err = buf.Flush()
	}
	if err == nil {
		err = tmp.Chmod(0o644) // CreateTemp makes 0600; an export is for sharing
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d records to %s\n", n, path)
	return nil
}
