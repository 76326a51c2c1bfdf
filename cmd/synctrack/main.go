// Command synctrack makes Sync Tracking logs queryable in your warehouse.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
)

func main() {
	ctx, stop := notifyInterrupts(context.Background())
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

// Exit codes.
const (
	exitOK          = 0   // everything loaded
	exitFailed      = 1   // some objects failed, each named, in the ledger; the rest loaded
	exitConfig      = 2   // bad usage or config, credentials and permissions included
	exitUnavailable = 3   // the warehouse or the environment is unavailable: try again later
	exitBrokenPipe  = 141 // 128 + SIGPIPE: the reader of stdout went away
)

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string) int {
	root := newRootCommand()
	root.SetArgs(args)
	c, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	if stdoutGone(err) {
		return exitBrokenPipe
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fatal(root, c, ee.err, ee.code, "")
		}
		return ee.code
	}
	if isUsage(err) {
		fatal(root, c, err, exitConfig, "Run 'synctrack --help' for usage.")
		return exitConfig
	}
	code := exitCode(err)
	fatal(root, c, err, code, "")
	return code
}

// stdoutGone says err is a write to stdout whose reader went away (| head):
// said by no message, and the code a process killed by SIGPIPE ends with,
// as other tools do (the DuckDB library ignores SIGPIPE, so the write fails
// instead). Only stdout's: a warehouse connection's broken pipe is the
// network's, exit 3 with its message.
func stdoutGone(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Op == "write" && pe.Path == os.Stdout.Name() && errors.Is(pe.Err, syscall.EPIPE)
}

// fatal prints the error that ends the command on stderr: a line, or with
// --log-format json a log record like the others, so that a machine reading
// the log sees why it stopped. c is the command that ran (its hints are
// worded for it: message). usage, if not empty, is a line said after it
// (with json, the record's help).
func fatal(root, c *cobra.Command, err error, code int, usage string) {
	msg := message(c, err)
	if log := earlyLogger(root, os.Stderr); log != nil {
		args := []any{"err", msg, "exit", code}
		if usage != "" {
			args = append(args, "help", usage)
		}
		log.Error("synctrack failed", args...)
		return
	}
	// An error can quote a bucket's bytes (a file's name, its columns): each
	// line shows them escaped, so none drives the terminal. A line's leading
	// tabs are an indent (cobra's "Did you mean this?\n\tload"): spaces.
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		rest := strings.TrimLeft(l, "\t")
		lines[i] = strings.Repeat("  ", len(l)-len(rest)) + export.EscapeControls(rest)
	}
	fmt.Fprintln(os.Stderr, "synctrack:", strings.Join(lines, "\n"))
	if usage != "" {
		fmt.Fprintln(os.Stderr, usage)
	}
}

// earlyLogger is the JSON logger --log-format json asks for, on w, for
// what is said before a command makes its own logger or without one (a
// near-miss variable's warning, the error that ends the command); nil for
// text, said as plain lines. The flags are read as the command reads them
// once its config is applied, and before (a command line cobra refused
// is refused before): the flag given, else its variable. A config file's
// log_format counts only once applied.
func earlyLogger(root *cobra.Command, w io.Writer) *slog.Logger {
	if earlySetting(root, "log-format") != "json" {
		return nil
	}
	var level slog.Level
	if level.UnmarshalText([]byte(earlySetting(root, "log-level"))) != nil {
		level = slog.LevelInfo // refused by the command's own logger, if it gets that far
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// earlySetting is root's persistent flag name: given on the command line,
// else its SYNCTRACK_ variable's, else what it holds (the config file's,
// once applied, or the default).
func earlySetting(root *cobra.Command, name string) string {
	f := root.PersistentFlags().Lookup(name)
	if v, ok := os.LookupEnv(envName(name)); ok && !f.Changed {
		return v
	}
	return f.Value.String()
}

// loads are the commands that load, whose errors' hints say what the next
// load does; the others' say what the user may do (warehouse.NotLoading).
var loads = map[string]bool{"load": true, "run": true, "demo": true, "bench": true}

// message is err as command c prints it.
func message(c *cobra.Command, err error) string {
	if c != nil && loads[c.Name()] {
		return err.Error()
	}
	return warehouse.NotLoading(err)
}

// exitCode maps an error's class to the exit code: what the user must fix is
// 2, what will pass by itself (a lock, a full disk, the network) is 3. Data
// errors are about objects and end as 1 through the load's report; one that
// stopped a command outright is 1 too.
func exitCode(err error) int {
	switch warehouse.ClassOf(err) {
	case warehouse.Config:
		return exitConfig
	case warehouse.Data:
		return exitFailed
	}
	return exitUnavailable
}

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError marks bad flags, arguments or config: exit code 2.
func usageError(format string, a ...any) error {
	return &exitError{code: exitConfig, err: fmt.Errorf(format, a...)}
}

// noArgs is cobra.NoArgs saying what went wrong: cobra's `unknown command
// "file:///tmp/bucket" for "synctrack load"` read as if load had
// subcommands, when the user left out the flag before a value.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return usageError("%s takes no argument, but was given %q: a value goes after its flag (%s)",
		strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" "), args[0], cmd.UseLine())
}

// literalTilde refuses a folder path that starts with ~ when no folder ~
// is there: a config file's out: ~/bucket, or a quoted '~/bucket', reaches
// synctrack as written, and generate and dbt made a folder named ~ in the
// working directory (which a later rm -rf ~ takes for the home folder).
func literalTilde(flag, path string) error {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		return nil
	}
	if st, err := os.Stat("~"); err == nil && st.IsDir() {
		return nil // a folder of that name, made on purpose
	}
	whole := "the whole path"
	if home, err := os.UserHomeDir(); err == nil {
		whole = filepath.Join(home, strings.TrimPrefix(path, "~"))
	}
	return usageError("--%s %s: ~ is not expanded here (only a shell expands it, and not in quotes or a config file): write %s, or ./%s for a folder named ~",
		flag, path, whole, path)
}

// atLeastOne refuses an int flag under 1 among names, naming it: the
// counts of generate and bench, which would otherwise take a default for it
// or measure nothing.
func atLeastOne(cmd *cobra.Command, names ...string) error {
	for _, name := range names {
		if n, _ := cmd.Flags().GetInt(name); n < 1 {
			return usageError("%s: --%s %d: want 1 or more", cmd.Name(), name, n)
		}
	}
	return nil
}

// isUsage reports cobra's own errors about flags and arguments.
func isUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand", "unknown command", "flag needs an argument",
		"invalid argument", "accepts ", "requires at least", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
