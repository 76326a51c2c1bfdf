package main

import (
	"errors"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/internal/sqllex"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
)

const queryHelp = `Run one SQL statement of your own on the warehouse, read-only, and print or
export its rows as a table, CSV, JSON or parquet. Rows stream from the warehouse
to the output. A column named as an earlier one is renamed in every format, the
second a to a_2 (a_3 if the result has an a_2), so each JSON key names one column.

Read-only is the engine's own guarantee, not a reading of your SQL: the DuckDB
file is opened read-only; Snowflake describes the statement first and runs it
only if it calls it a SELECT; BigQuery dry-runs it first and runs it only if its
statementType is SELECT; PostgreSQL describes it first and runs only what
returns rows (no COPY, no DO), in a READ ONLY transaction rolled back after.
One statement only, on every engine, and no transaction statement
(BEGIN, COMMIT, ROLLBACK, ...: exit 2). A statement that would write
is refused, changes nothing, and exits 2, as does a statement the engine cannot
compile; exit 3 is the warehouse being unavailable (a lock held, the network).

Examples:
  synctrack query --warehouse duckdb://./synctrack-demo.duckdb "SELECT outcome, count(*) FROM synctrack.sync_log GROUP BY 1"
  synctrack query --warehouse duckdb://./sync-logs.duckdb -f rejected.sql --format csv --out rejected.csv
  synctrack query --warehouse bigquery://my-project/synctrack -f - < weekly.sql`

func newQueryCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "query --warehouse URL [SQL | -f FILE]",
		Short: "Run your own read-only SQL on the warehouse and export the rows",
		Long:  queryHelp,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				// The shell split an unquoted statement into words.
				return usageError("query takes the statement as one argument, but was given %d: quote it (\"SELECT ...\") or give it with -f FILE", len(args))
			}
			return nil
		},
		RunE: runQuery,
	}
	c.Flags().String("warehouse", "", warehouseHelp())
	addLockWait(c)
	c.Flags().StringP("file", "f", "", "read the statement from this file (- for stdin)")
	c.Flags().String("format", "table", "table, csv, json or parquet")
	c.Flags().String("out", "", "write to this file instead of stdout (whole or not at all; a pipe, a device or /dev/fd/N the shell opened is written in place)")
	return c
}

func runQuery(cmd *cobra.Command, args []string) error {
	format, _ := cmd.Flags().GetString("format")
	path, _ := cmd.Flags().GetString("out")
	if err := checkExportFormat(format, path); err != nil {
		return err
	}
	stmt, err := statementArg(cmd, args)
	if err != nil {
		return err
	}
	whURL, _ := cmd.Flags().GetString("warehouse")
	e, err := engines.Check(whURL)
	if err != nil {
		return err
	}
	if !warehouse.Can[warehouse.ReadOnlyQuerier](e) {
		return usageError("the %s engine has no read-only mode for a statement of your own, so synctrack query does not run one there", e.Name)
	}
	if w, ok := transactionStatement(e.Name, stmt); ok {
		return usageError("%s begins a transaction statement (or a script block), not a query: synctrack query runs one read-only statement", w)
	}
	return exportTo(cmd, path, "rows", func(out io.Writer) (int64, error) {
		ew, err := export.New(format, out)
		if err != nil {
			return 0, usageError("%v", err)
		}
		wh, err := openAnyReader(cmd, whURL)
		if err != nil {
			return 0, err
		}
		defer wh.Close()
		rows, err := wh.(warehouse.ReadOnlyQuerier).QueryReadOnly(cmd.Context(), stmt)
		if err != nil {
			return 0, queryError(err)
		}
		defer rows.Close()
		n, err := export.Stream(rows, ew)
		return n, queryError(err)
	})
}

// transactionWords begin a statement that controls a transaction. Run as a
// query it did nothing and exited 0 (DuckDB's BEGIN), or, on PostgreSQL,
// a COMMIT ended the read-only transaction the statement runs in.
var transactionWords = []string{"begin", "commit", "rollback", "abort", "end", "start", "savepoint", "release"}

// transactionStatement says stmt begins with one of transactionWords, as
// dialect reads it (comments skipped), and returns the word as written.
func transactionStatement(dialect, stmt string) (string, bool) {
	toks, err := sqllex.Lex(dialect, stmt)
	if err != nil || len(toks) == 0 || toks[0].Kind != sqllex.Word {
		return "", false
	}
	return toks[0].Text, slices.Contains(transactionWords, strings.ToLower(toks[0].Text))
}

// statementArg is the statement from the argument or --file, exactly one.
func statementArg(cmd *cobra.Command, args []string) (string, error) {
	file, _ := cmd.Flags().GetString("file")
	var stmt string
	switch {
	case len(args) == 1 && file != "":
		return "", usageError("give the statement as an argument or with -f, not both")
	case len(args) == 1:
		stmt = args[0]
	case file == "-":
		b, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return "", usageError("read the statement from stdin: %v", err)
		}
		stmt = string(b)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", usageError("-f: %v", err)
		}
		stmt = string(b)
	}
	if strings.TrimSpace(stmt) == "" {
		return "", usageError("no statement: give one as an argument or with -f FILE")
	}
	return stmt, nil
}

// queryError decides the exit code of a statement that failed: the warehouse
// being away (a lock, the network, a quota) is 3, as for every command;
// anything else is about the user's own SQL (a syntax error, an unknown
// column, a write refused, a division by zero) and is 2, fix and run again.
func queryError(err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	switch warehouse.ClassOf(warehouse.Classify(err, warehouse.OSRules)) {
	case warehouse.Transient, warehouse.Resource:
		return err
	}
	return &exitError{code: exitConfig, err: err}
}
