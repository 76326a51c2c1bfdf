package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/synctrack/synctrack/internal/nearest"
)

// What a command line that is not quite right is told: a value read as a
// flag, a flag or help topic that names nothing, a stray argument.

// valueAsFlag says an unknown flag is a value, and gives its first line: no
// flag's name has a space, but SQL opening with a -- comment does, and the
// shell passes it whole ("unknown flag: -- rejected rows\nSELECT ...").
func valueAsFlag(err error) (string, bool) {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: ")
	if !ok || !strings.ContainsAny(name, " \t\n") {
		return "", false
	}
	first, _, _ := strings.Cut(name, "\n")
	return first, true
}

// unknownFlagHint follows pflag's "unknown flag: --warehose" with the flag
// of c one or two letters from it, and where c's flags are listed: the
// error named nothing else, and a flag of another command (plan --dry-run)
// read as a typo.
func unknownFlagHint(c *cobra.Command, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		if !strings.HasPrefix(err.Error(), "unknown shorthand flag") {
			return ""
		}
		name = ""
	}
	var names []string
	visit := func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	}
	c.Flags().VisitAll(visit)
	c.InheritedFlags().VisitAll(visit)
	best := ""
	if name != "" {
		best = nearest.Word(name, names, 2)
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean --%s? %s --help lists the flags)", best, c.CommandPath())
	}
	return fmt.Sprintf(" (%s --help lists the flags)", c.CommandPath())
}

// helpRefusesUnknown makes the help command refuse a topic that names no
// command, exit 2: cobra printed "Unknown help topic" and the usage, and
// exited 0.
func helpRefusesUnknown(c *cobra.Command) {
	run := c.Run
	c.Run = nil
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if t, rest, err := cmd.Root().Find(args); t == nil || err != nil || len(rest) > 0 {
			return usageError("no help topic %q: want a command (%s --help lists them)", strings.Join(args, " "), cmd.Root().Name())
		}
		run(cmd, args)
		return nil
	}
}

// subcommandsOnly makes c, a command that only groups others, refuse an
// argument that names none of them, as a usage error listing them (what
// says what the argument is not); cobra printed c's help and exited 0, so
// a script asking for completion tcsh went on without one. With no
// argument c still prints its help.
func subcommandsOnly(c *cobra.Command, what string) {
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		var names []string
		for _, s := range cmd.Commands() {
			if s.IsAvailableCommand() {
				names = append(names, s.Name())
			}
		}
		return usageError("%s %q for %q: want %s", what, args[0], cmd.CommandPath(), strings.Join(names, ", "))
	}
}
