package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse/engines"
)

func newSQLCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "sql",
		Short: "List the analysis SQL templates, or render one for any engine's dialect",
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the templates: name, whether it installs as a view, parameters, summary",
		Args:  noArgs,
		RunE:  runSQLList,
	}
	render := &cobra.Command{
		Use:   "render NAME --dialect " + strings.Join(engines.Names(), "|") + " [--schema S] [--param k=v]...",
		Short: "Print one template's SQL for a dialect, parameters inlined as quoted literals",
		Long: `Print one template's SQL, ready to read or paste into a BI tool. Parameters given
with --param become quoted literals of the dialect; parameters left out or given
empty (--param sync=) drop their filter, as report's flags do. Known parameters:
sync, run, since (RFC 3339, a date, or an age like 7d), limit, identifier, status
(success, rejected, invalid), n.

  synctrack sql render run_summary --dialect snowflake --schema SYNCTRACK
  synctrack sql render rejections_by_fingerprint --dialect bigquery --schema my-project.synctrack --param since=7d`,
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return usageError("sql render needs a template NAME (synctrack sql list lists them)")
			case len(args) > 1:
				return usageError("sql render takes one template NAME, not %d (synctrack sql list lists them)", len(args))
			}
			return nil
		},
		RunE: runSQLRender,
	}
	render.Flags().String("dialect", engines.Embedded().Dialect.Name(), strings.Join(engines.Names(), ", "))
	render.Flags().String("schema", "synctrack", "schema (Snowflake schema, BigQuery dataset or project.dataset) holding the tables, checked as the warehouse URL's is")
	render.Flags().StringArray("param", nil, "a parameter as key=value; repeat for more")
	c.AddCommand(list, render)
	subcommandsOnly(c, "unknown command")
	return c
}

func runSQLList(cmd *cobra.Command, _ []string) error {
	ts, err := analysis.List(engines.Embedded().Dialect.Name())
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVIEW\tPARAMETERS\tSUMMARY")
	for _, t := range ts {
		view, params := "no", strings.Join(t.Told(), ",")
		if t.View {
			view = "yes"
		}
		for _, r := range t.Required {
			params = strings.Replace(params, r, r+"*", 1)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, view, params, t.Summary)
	}
	fmt.Fprintln(tw, "\n* required. Dialects: "+strings.Join(engines.Names(), ", ")+".")
	return tw.Flush()
}

func runSQLRender(cmd *cobra.Command, args []string) error {
	name, _ := cmd.Flags().GetString("dialect")
	d, err := engines.Dialect(name)
	if err != nil {
		return usageError("%v", err)
	}
	raw := map[string]string{}
	pairs, _ := cmd.Flags().GetStringArray("param")
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return usageError("--param %q: want key=value", p)
		}
		raw[k] = v
	}
	t, err := analysis.Lookup(d.Name(), args[0])
	if err != nil {
		return usageError("%v (see synctrack sql list)", err)
	}
	for k, val := range raw {
		// Empty, a filter left out, as report's flag given empty is.
		if val != "" && !contains(t.Params, k) {
			return usageError("%s takes no parameter %q (it takes: %s)", t.Name, k, strings.Join(t.Told(), ", "))
		}
	}
	v, err := templateParams(raw)
	if err != nil {
		return err
	}
	schema, _ := cmd.Flags().GetString("schema")
	if err := engines.CheckSchema(d.Name(), schema); err != nil {
		return usageError("--schema %q: %v", schema, err)
	}
	out, err := analysis.Render(d, schema, args[0], v)
	if err != nil {
		return usageError("%v", err)
	}
	_, err = fmt.Fprint(cmd.OutOrStdout(), out)
	return err
}
