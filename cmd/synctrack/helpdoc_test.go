package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every example a command's --help gives (a line of its text indented two
// spaces that runs synctrack, a variable or two before it allowed) parses
// with the real command tree and flags, and its warehouse URL passes its
// engine's check: a user copies them as they are.
func TestHelpExamplesParse(t *testing.T) {
	n := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, line := range strings.Split(c.Long, "\n") {
			if !strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "   ") {
				continue
			}
			words := strings.Fields(line)
			for len(words) > 0 && strings.Contains(words[0], "=") {
				words = words[1:] // SYNCTRACK_WEB_TOKEN=s3cret synctrack serve ...
			}
			if len(words) == 0 || words[0] != "synctrack" {
				continue
			}
			cmdline := strings.Join(words, " ")
			for _, op := range []string{" < ", " > ", " | "} {
				cmdline, _, _ = strings.Cut(cmdline, op) // the shell's, not synctrack's
			}
			args, _ := synctrackArgs(cmdline)
			checkParses(t, c.CommandPath()+" --help", cmdline, args)
			n++
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCommand())
	if n < 20 {
		t.Errorf("found %d examples in the commands' help; the reader is broken", n)
	}
}
