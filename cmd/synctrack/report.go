package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/internal/reportrun"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse/engines"
)

const reportHelp = `Run one analysis template (see synctrack sql list) on the warehouse and print
the result. Filters left out are not applied; parameters are bound, never pasted
into the SQL.

Examples:
  synctrack report rejections_by_fingerprint --warehouse duckdb://./sync-logs.duckdb
  synctrack report run_summary --warehouse duckdb://./sync-logs.duckdb --sync 52275 --since 7d
  synctrack report record_history --warehouse duckdb://./sync-logs.duckdb --identifier CUST-1042 --format json
  synctrack report run_summary --warehouse duckdb://./sync-logs.duckdb --limit 0 --format parquet --out runs.parquet
  synctrack report rejections_by_message --warehouse 'snowflake://LOADER@myorg-acct/ANALYTICS/synctrack?warehouse=WH'
  synctrack report rejection_trend --warehouse 'bigquery://my-project/synctrack?location=US' --since 7d
  synctrack report rejection_trend --warehouse bigquery://my-project/synctrack --since 7d --dry-run

--dry-run (BigQuery) prints the bytes the query would process (what on-demand
pricing bills, at least 10 MB a table) and runs nothing.`

// templateNames lists the templates for report's help, so that it answers
// "which names?" without another command.
func templateNames() string {
	ts, err := analysis.List(engines.Embedded().Dialect.Name())
	if err != nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n\nTemplates (synctrack sql list says what each answers and takes):\n ")
	width := 1
	for i, t := range ts {
		if width+len(t.Name) > 78 {
			b.WriteString("\n ")
			width = 1
		}
		b.WriteString(" " + t.Name)
		width += 1 + len(t.Name)
		if i < len(ts)-1 {
			b.WriteString(",")
			width++
		}
	}
	return b.String()
}

func newReportCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "report NAME --warehouse URL",
		Short: "Run an analysis template (rejections, run summary, trends) on the warehouse",
		Long:  reportHelp + templateNames(),
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return usageError("report needs a template NAME (synctrack sql list lists them)")
			case len(args) > 1:
				return usageError("report takes one template NAME, not %d (synctrack sql list lists them)", len(args))
			}
			return nil
		},
		RunE: runReport,
	}
	c.Flags().String("warehouse", "", warehouseHelp())
	addLockWait(c)
	addFilterFlags(c, 50)
	c.Flags().String("identifier", "", "record identifier (record_history, records)")
	c.Flags().String("status", "", "outcome: success, rejected or invalid (records)")
	c.Flags().Int("n", 0, "runs to look back (new_errors, flapping_records) or errors per destination object (top_errors_by_destination); 0: the template's default, 5 in each")
	c.Flags().String("format", "table", "table, csv, json or parquet")
	c.Flags().String("out", "", "write to this file instead of stdout (whole or not at all; a pipe, a device or /dev/fd/N the shell opened is written in place)")
	c.Flags().Bool("dry-run", false, dryRunHelp)
	return c
}

// addFilterFlags adds the filters report and records share.
func addFilterFlags(c *cobra.Command, limit int) {
	c.Flags().String("sync", "", "only this sync configuration id")
	c.Flags().String("run", "", "only this sync run id")
	c.Flags().String("since", "", "only batches started at or after: RFC 3339, a date, or an age (36h, 7d)")
	c.Flags().Int("limit", limit, "most rows (0: all)")
}

// queryParams collects the filter flags as template parameters: one left
// unset ("", --limit 0) is left out, as ParseParams leaves it.
func queryParams(cmd *cobra.Command, names ...string) (analysis.Values, error) {
	raw := map[string]string{}
	for _, n := range names {
		if f := cmd.Flags().Lookup(n); f != nil {
			raw[n] = f.Value.String()
		}
	}
	v, err := analysis.ParseParams(raw, time.Now())
	var pe *analysis.ParamError
	if errors.As(err, &pe) {
		// Said as the flag the user typed, as other flags' values are.
		return nil, usageError("--%s %q: %v", pe.Name, pe.Value, pe.Err)
	}
	if err != nil {
		return nil, usageError("%v", err)
	}
	return v, nil
}

// templateParams parses parameters as report's flags and sql render's
// --param give them; a bad one is a usage error.
func templateParams(raw map[string]string) (analysis.Values, error) {
	v, err := analysis.ParseParams(raw, time.Now())
	if err != nil {
		return nil, usageError("%v", err)
	}
	return v, nil
}

func runReport(cmd *cobra.Command, args []string) error {
	format, _ := cmd.Flags().GetString("format")
	path, _ := cmd.Flags().GetString("out")
	if err := checkExportFormat(format, path); err != nil {
		return err
	}
	whURL, _ := cmd.Flags().GetString("warehouse")
	eng, err := engines.Check(whURL)
	if err != nil {
		return err
	}
	t, err := analysis.Lookup(eng.Dialect.Name(), args[0])
	if err != nil {
		return usageError("%v (see synctrack sql list)", err)
	}
	v, err := queryParams(cmd, "sync", "run", "since", "limit", "identifier", "n", "status")
	if err != nil {
		return err
	}
	for p := range v {
		if !contains(t.Params, p) {
			return usageError("report %s does not take --%s (it takes: %s)", t.Name, p, strings.Join(t.Told(), ", "))
		}
	}
	for _, r := range t.Required {
		if _, ok := v[r]; !ok {
			return usageError("report %s needs --%s", t.Name, r)
		}
	}
	if dry, _ := cmd.Flags().GetBool("dry-run"); dry {
		return dryRun(cmd, whURL, t.Name, v)
	}
	var n int64
	err = exportTo(cmd, path, "rows", func(w io.Writer) (int64, error) {
		n, err = runTemplate(cmd, whURL, t.Name, v, format, w)
		return n, err
	})
	if err == nil && contains(t.Params, "limit") {
		sayLimited(cmd, "report "+t.Name, "rows", n)
	}
	return err
}

// sayLimited says, on stderr so that stdout stays what the format says,
// that what stopped at --limit after n rows, when it did.
func sayLimited(cmd *cobra.Command, what, noun string, n int64) {
	if out, _ := cmd.Flags().GetString("out"); isStderr(out) {
		return // the export is stderr: nothing after it
	}
	if limit, _ := cmd.Flags().GetInt("limit"); limit > 0 && n == int64(limit) {
		note(cmd, slog.LevelInfo, fmt.Sprintf("%s: stopped at --limit %d; there may be more %s (--limit 0 for all)", what, limit, noun),
			"stopped at --limit", "what", what, "limit", limit, "hint", "there may be more "+noun+" (--limit 0 for all)")
	}
}

// runTemplate binds a template's parameters, runs it on the warehouse, opened
// read-only, in the engine's own dialect, and streams the rows to out in
// format. It returns the row count.
func runTemplate(cmd *cobra.Command, whURL, name string, v analysis.Values, format string, out io.Writer) (int64, error) {
	ctx := cmd.Context()
	ew, err := export.New(format, out)
	if err != nil {
		return 0, usageError("%v", err)
	}
	wh, err := openReader(cmd, whURL)
	if err != nil {
		return 0, err
	}
	defer wh.Close()
	n, err := reportrun.Run(ctx, wh, name, v, ew)
	var be *reportrun.BindError
	if errors.As(err, &be) {
		return n, usageError("%v", be.Err)
	}
	return n, err
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
