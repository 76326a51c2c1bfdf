package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const rootHelp = `synctrack makes row-level Sync Tracking logs queryable in your warehouse.

It lists a Sync Tracking bucket (sync_tracking_datasets/ and metadata/), loads each
new parquet file and metadata.json exactly once into a warehouse (an embedded DuckDB
file by default), and builds the sync_log view and one typed view per sync.

Every flag can also be set in a YAML config file (--config, keys are flag names with
_ for -) or as an environment variable SYNCTRACK_<FLAG> (SYNCTRACK_BUCKET,
SYNCTRACK_WAREHOUSE, ...). A flag on the command line wins over the environment,
which wins over the file. A variable set but empty is refused, but for
SYNCTRACK_LISTEN= (synctrack run: no listener) and SYNCTRACK_WEB_TOKEN= (a
secret, no flag: taken as unset).

Exit codes:
  0  everything loaded
  1  some objects failed: each is named on stdout, in load_ledger and in the log;
     the rest loaded (or a sync's typed view could not be rebuilt: named too)
  2  bad usage or config, credentials and permissions included: fix, then run again
  3  the warehouse or the environment is unavailable (a lock held, disk full, the
     network, a quota): nothing was blamed on any object for it (an object named
     FAILED before it failed for a cause of its own); try again later
A reader of stdout that goes away (| head) ends a command quietly, with 141 as a
process killed by SIGPIPE would.`

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "synctrack",
		Short:         "Load Sync Tracking logs into your warehouse",
		Long:          rootHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			// Warned after the config is applied, which may set
			// --log-format, and also when it is refused.
			err := applyConfig(cmd)
			warnEnv(cmd)
			return err
		},
	}
	root.PersistentFlags().String("config", "", "YAML config file (env SYNCTRACK_CONFIG)")
	root.PersistentFlags().String("log-level", "info", "log level: debug, info, warn, error")
	root.PersistentFlags().String("log-format", "text", "log format: text or json")
	root.AddCommand(newLoadCommand(), newPlanCommand(), newStatusCommand(), newGenerateCommand(), newDemoCommand(), newBenchCommand())
	root.AddCommand(newRunCommand())
	root.AddCommand(newReportCommand(), newRecordsCommand(), newQueryCommand(), newSQLCommand(), newViewsCommand(), newRetryCommand())
	root.AddCommand(newServeCommand())
	root.AddCommand(newDBTCommand())
	// cobra adds its completion command at Execute unless there is one:
	// add it now, to make it refuse a shell it has no script for.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			subcommandsOnly(c, "unsupported shell")
		}
	}
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			helpRefusesUnknown(c)
		}
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if v, ok := valueAsFlag(err); ok {
			return usageError("%s: %q starts with --, so it was read as a flag: put -- before it (as in synctrack query --warehouse URL -- \"-- comment ...\"), or give it with -f FILE",
				strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" "), v)
		}
		return usageError("%v%s", flagError(err), unknownFlagHint(c, err))
	})
	return root
}

// flagError words a command line's bad value as one from the environment
// or the config file is: the flag, the value, and what it wants. Other
// errors (an unknown flag, a missing value) are pflag's own.
func flagError(err error) error {
	var bad *pflag.InvalidValueError
	if !errors.As(err, &bad) {
		return err
	}
	f := bad.GetFlag()
	return fmt.Errorf("--%s %q: %w", f.Name, bad.GetValue(), wantKind(f, errors.Unwrap(bad)))
}

// newLogger builds the slog logger the flags ask for, writing to w.
func newLogger(cmd *cobra.Command, w io.Writer) (*slog.Logger, error) {
	lvl, _ := cmd.Flags().GetString("log-level")
	format, _ := cmd.Flags().GetString("log-format")
	var level slog.Level
	if err := level.UnmarshalText([]byte(lvl)); err != nil {
		return nil, usageError("--log-level %q: want debug, info, warn or error", lvl)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError("--log-format %q: want text or json", format)
}
