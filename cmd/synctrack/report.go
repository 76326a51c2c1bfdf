package main

import (
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/sql/export"
)

const reportHelp = `Run one analysis template (see synctrack sql list) on the warehouse and print
the result. Filters left out are not applied; parameters are bound, never pasted
into the SQL.

Examples:
  synctrack report rejections_by_fingerprint --warehouse duckdb://./sync-logs.duckdb
  synctrack report run_summary --warehouse duckdb://./sync-logs.duckdb --sync 52275 --since 7d
  synctrack report record_history --warehouse duckdb://./sync-logs.duckdb --identifier CUST-1042 --format json
  synctrack report rejections_by_message --warehouse 'snowflake://LOADER@myorg-acct/ANALYTICS/synctrack?warehouse=WH'`

func newReportCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "report NAME --warehouse URL",
		Short: "Run an analysis template (rejections, run summary, trends) on the warehouse",
		Long:  reportHelp,
		Args:  cobra.ExactArgs(1),
		RunE:  runReport,
	}
	c.Flags().String("warehouse", "", "warehouse URL: duckdb:// or snowflake:// (env SYNCTRACK_WAREHOUSE)")
	addFilterFlags(c, 50)
	c.Flags().String("identifier", "", "record identifier (record_history)")
	c.Flags().Int("n", 0, "runs to look back (new_errors, flapping_records) or errors per destination object (top_errors_by_destination); 0: the template's default")
	c.Flags().String("format", "table", "table, csv or json")
	return c
}

// addFilterFlags adds the filters report and records share.
func addFilterFlags(c *cobra.Command, limit int) {
	c.Flags().String("sync", "", "only this sync configuration id")
	c.Flags().String("run", "", "only this sync run id")
	c.Flags().String("since", "", "only batches started at or after: RFC 3339, a date, or an age (36h, 7d)")
	c.Flags().Int("limit", limit, "most rows (0: all)")
}

// queryParams collects the set filter flags as template parameters.
func queryParams(cmd *cobra.Command, names ...string) (analysis.Values, error) {
	raw := map[string]string{}
	for _, n := range names {
		f := cmd.Flags().Lookup(n)
		if f == nil || f.Value.String() == "" || (f.Value.Type() == "int" && f.Value.String() == "0") {
			continue
		}
		raw[n] = f.Value.String()
	}
	v, err := analysis.ParseParams(raw, time.Now())
	if err != nil {
		return nil, usageError("%v", err)
	}
	return v, nil
}

func runReport(cmd *cobra.Command, args []string) error {
	format, _ := cmd.Flags().GetString("format")
	if format != "table" && format != "csv" && format != "json" {
		return usageError("--format %q: want table, csv or json", format)
	}
	t, err := analysis.Lookup("duckdb", args[0])
	if err != nil {
		return usageError("%v (see synctrack sql list)", err)
	}
	v, err := queryParams(cmd, "sync", "run", "since", "limit", "identifier", "n")
	if err != nil {
		return err
	}
	for p := range v {
		if !contains(t.Params, p) {
			return usageError("report %s does not take --%s (it takes: %v)", t.Name, p, t.Params)
		}
	}
	whURL, _ := cmd.Flags().GetString("warehouse")
	_, err = runTemplate(cmd, whURL, t.Name, v, format, cmd.OutOrStdout())
	return err
}

// sqlWarehouse is a warehouse that answers SQL through database/sql.
type sqlWarehouse interface {
	DB() *sql.DB
	Schema() string
}

// runTemplate binds a template's parameters, runs it on the warehouse
// (read-only where the engine has that mode: DuckDB, Snowflake), and streams
// the rows to out in format. It returns the row count.
func runTemplate(cmd *cobra.Command, whURL, name string, v analysis.Values, format string, out io.Writer) (int64, error) {
	ctx := cmd.Context()
	if strings.HasPrefix(whURL, "bigquery://") {
		return 0, usageError("report and records do not run on BigQuery yet: render the SQL with synctrack sql render %s --dialect bigquery", name)
	}
	wh, err := openReader(ctx, whURL)
	if err != nil {
		return 0, err
	}
	defer wh.Close()
	w, ok := wh.(sqlWarehouse)
	if !ok {
		return 0, usageError("warehouse %T does not answer SQL", wh)
	}
	dialect := "duckdb"
	if isSnowflake(whURL) {
		dialect = "snowflake"
	}
	d, _ := analysis.DialectNamed(dialect)
	q, err := analysis.Bind(d, w.Schema(), name, v)
	if err != nil {
		return 0, usageError("%v", err)
	}
	rs, err := w.DB().QueryContext(ctx, q.SQL, q.Values()...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	defer rs.Close()
	ew, err := export.New(format, out)
	if err != nil {
		return 0, usageError("%v", err)
	}
	n, err := export.Stream(rs, ew)
	if err != nil {
		return n, fmt.Errorf("%s: %w", name, err)
	}
	return n, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
