package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/dbt"
	"github.com/synctrack/synctrack/warehouse"
)

const dbtHelp = `Write dbt sources and staging models for the schema synctrack writes, so a dbt
project can select from it with {{ source('synctrack', 'sync_log') }}.

Into DIR it writes:
  sources.yml                     one source, synctrack, with every table and view
                                  synctrack writes: sync_records, sync_log, sync_runs,
                                  the fact tables, payload_columns, load_ledger, the
                                  per-run rollups (run_outcome_counts,
                                  run_fingerprint_counts), the analysis views
                                  (run_summary, ...) and each sync's typed view
                                  (sync_records_<sync id>) found in the warehouse's
                                  payload_columns; every column described; data
                                  tests: unique and not_null on sync_log.log_id,
                                  accepted_values (success, rejected, invalid) on
                                  sync_log.outcome and the rollups' outcome,
                                  relationships from sync_log and sync_runs to the
                                  fact tables and from sync_log to sync_runs
                                  (severity warn: facts lag runs by up to 6 h)
  stg_synctrack__<table>.sql      one staging model per table and view but the
                                  analysis views: its columns by name, selected from
                                  the source, in the engine's SQL (a column named as a
                                  keyword, like load_ledger's rows, quoted the engine's way)

DIR is usually models/staging/synctrack in your dbt project (dbt reads any .yml
and .sql under models/). The YAML uses data_tests and the arguments property of
generic tests: dbt 1.10.5 or later. The source names the schema only: dbt takes
the database (Snowflake database, BigQuery project) from your profile's target;
add database: to the source if it differs. The warehouse is opened read-only;
only payload_columns is read, through the engine's query path.

Run it again after a load brings new syncs: it rewrites the files it wrote (each
starts with a "Written by synctrack dbt" line) and refuses to overwrite any other
file in the way, writing nothing, unless --force.

Exit 2: a file in the way, no --out, or a schema nothing was loaded into (no
payload_columns); exit 3: the warehouse is unavailable (a lock held, the network).

Examples:
  synctrack dbt --warehouse duckdb://./sync-logs.duckdb --out ~/analytics/models/staging/synctrack
  synctrack dbt --warehouse 'snowflake://LOADER@myorg-acct/ANALYTICS/synctrack?warehouse=LOAD_WH' --out models/staging/synctrack`

func newDBTCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "dbt --warehouse URL --out DIR",
		Short: "Write dbt sources.yml and staging models for synctrack's schema",
		Long:  dbtHelp,
		Args:  noArgs,
		RunE:  runDBT,
	}
	c.Flags().String("warehouse", "", warehouseHelp())
	addLockWait(c)
	c.Flags().String("out", "", "folder to write sources.yml and the staging models into (made if missing)")
	c.Flags().Bool("force", false, "overwrite files in DIR that synctrack dbt did not write")
	return c
}

func runDBT(cmd *cobra.Command, _ []string) error {
	whURL, _ := cmd.Flags().GetString("warehouse")
	dir, _ := cmd.Flags().GetString("out")
	force, _ := cmd.Flags().GetBool("force")
	if dir == "" {
		return usageError("no --out: give the folder to write the dbt files into, e.g. models/staging/synctrack")
	}
	if err := literalTilde("out", dir); err != nil {
		return err
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usageError("--out %s: is a file; give a folder (made if missing)", dir)
	}
	files, err := dbtFiles(cmd, whURL)
	if err != nil {
		return err
	}
	written, err := dbt.Write(dir, files, force)
	if errors.Is(err, dbt.ErrNotOurs) {
		return usageError("%v", err)
	}
	if err != nil {
		// A folder the user cannot write, or a file in the way further
		// down, is theirs to fix; a full disk passes.
		err = warehouse.Classify(err, warehouse.OSRules)
		if warehouse.ClassOf(err) == warehouse.Resource {
			return fmt.Errorf("write dbt files: %w", err)
		}
		return usageError("--out %s: %v", dir, err)
	}
	for _, p := range written {
		fmt.Fprintln(cmd.OutOrStdout(), p)
	}
	return nil
}

// dbtFiles opens the warehouse read-only, reads its typed views and renders
// the files in its engine's dialect.
func dbtFiles(cmd *cobra.Command, whURL string) (map[string][]byte, error) {
	wh, err := openReader(cmd, whURL)
	if err != nil {
		return nil, err
	}
	defer wh.Close()
	typed, err := dbt.TypedViews(cmd.Context(), wh)
	if err != nil {
		return nil, dbtReadError(err)
	}
	files, err := dbt.Files(dbt.Input{Dialect: wh.Dialect(), Schema: wh.Schema(), Typed: typed})
	if err != nil {
		return nil, usageError("%v", err)
	}
	return files, nil
}

// dbtReadError: the warehouse being away is exit 3 as everywhere; a schema
// without payload_columns (nothing loaded yet) or a permission refused is
// something to fix, exit 2.
func dbtReadError(err error) error {
	switch warehouse.ClassOf(warehouse.Classify(err, warehouse.OSRules)) {
	case warehouse.Transient, warehouse.Resource:
		return err
	}
	return usageError("%v (has synctrack load run against this warehouse?)", err)
}
