package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse/engines"
)

// The README works as written. Its ```sh blocks are read in order, in one
// empty directory, as a new user would type them: every synctrack command
// must parse with the real command tree and flags (and its warehouse URL
// pass its engine's check); the ones that need nothing but this machine
// (local files, DuckDB) run and must exit 0; a `$ synctrack` line's output
// shown under it must be what the command prints. /tmp/ paths move into
// the test's directory. The SQL of "Query it" runs through synctrack query.
// Not run: the daemon (`run`) and what only a running daemon would leave,
// and commands on cloud warehouses and buckets, which only parse.
func TestReadmeCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo")
	}
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Chdir(tmp)
	ran := 0
	for _, b := range readmeBlocks(string(raw)) {
		switch b.lang {
		case "sh":
			ran += runShellBlock(t, b, tmp)
		case "sql":
			if b.section == "Query it" {
				ran += runQueryBlock(t, b)
			}
		}
	}
	if ran < 10 {
		t.Errorf("ran %d README commands; the reader is broken", ran)
	}
}

// The README's check that nothing outside the registry names an engine (its
// git grep in "What an engine is made of") prints nothing, as it says.
func TestReadmeRegistryCheck(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var check string
	for _, b := range readmeBlocks(string(raw)) {
		if b.lang == "sh" && len(b.lines) > 0 && strings.HasPrefix(b.lines[0], "git grep ") {
			check = strings.Join(b.lines, "\n")
		}
	}
	if check == "" {
		t.Fatal("no git grep block in the README")
	}
	cmd := exec.Command("sh", "-c", check)
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 128 {
		t.Skipf("not a git work tree: %s", out)
	}
	if len(out) > 0 {
		t.Errorf("the README's registry check prints:\n%s", out)
	}
}

type readmeBlock struct {
	lang, section string
	lines         []string
	daemon        bool // a daemon runs in this section before the block
}

// readmeBlocks returns the fenced code blocks with the section (## or ###
// heading) each is in.
func readmeBlocks(md string) []readmeBlock {
	var out []readmeBlock
	var cur *readmeBlock
	section, daemon := "", false
	sc := bufio.NewScanner(strings.NewReader(md))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &readmeBlock{lang: strings.TrimPrefix(line, "```"), section: section, daemon: daemon}
		case cur != nil && line == "```":
			out = append(out, *cur)
			for _, l := range cur.lines {
				if args, ok := synctrackArgs(l); ok && len(args) > 0 && args[0] == "run" {
					daemon = true
				}
			}
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, line)
		case strings.HasPrefix(line, "#"):
			section, daemon = strings.TrimSpace(strings.TrimLeft(line, "#")), false
		}
	}
	return out
}

// runnable are the commands that need no server and no daemon.
var runnable = map[string]bool{"demo": true, "generate": true, "plan": true, "load": true, "status": true,
	"report": true, "records": true, "query": true, "sql": true, "views": true, "retry": true, "dbt": true}

// cloud marks URLs of services this test cannot reach.
var cloud = regexp.MustCompile(`(snowflake|bigquery|s3|gs)://`)

func runShellBlock(t *testing.T, b readmeBlock, tmp string) int {
	t.Helper()
	ran := 0
	lines := joinContinued(b.lines)
	prompts := false // a block of `$ command` lines and their output
	for _, l := range lines {
		prompts = prompts || strings.HasPrefix(l, "$ ")
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		shown := strings.HasPrefix(line, "$ ")
		if prompts && !shown {
			continue // a line of output, checked with its command
		}
		for _, cmdline := range strings.Split(strings.TrimPrefix(line, "$ "), " && ") {
			args, ok := synctrackArgs(cmdline)
			if !ok {
				continue
			}
			for j, a := range args {
				args[j] = strings.ReplaceAll(a, "/tmp/", tmp+"/")
			}
			checkParses(t, "README ("+b.section+")", cmdline, args)
			if len(args) == 0 || !runnable[args[0]] || cloud.MatchString(cmdline) || b.daemon {
				continue
			}
			code, stdout, stderr := runCLIAll(t, args...)
			ran++
			if code != 0 {
				t.Errorf("README (%s): %s\nexit %d: %s%s", b.section, cmdline, code, stdout, stderr)
				continue
			}
			if shown {
				var want []string
				for j := i + 1; j < len(lines) && !strings.HasPrefix(lines[j], "$ ") && lines[j] != ""; j++ {
					want = append(want, lines[j])
				}
				if len(want) > 0 && !shows(want, strings.Split(strings.TrimRight(stdout, "\n"), "\n")) {
					t.Errorf("README (%s): %s\nshows:\n%s\nprints:\n%s", b.section, cmdline, strings.Join(want, "\n"), stdout)
				}
			}
		}
	}
	return ran
}

// shows says whether the README's lines are what was printed. A line
// ending in "  ..." stands for the printed line's start: the README leaves
// the columns after it out.
func shows(want, got []string) bool {
	if len(want) != len(got) {
		return false
	}
	for i, w := range want {
		if prefix, cut := strings.CutSuffix(w, "  ..."); cut {
			if !strings.HasPrefix(got[i], prefix+"  ") {
				return false
			}
		} else if w != got[i] {
			return false
		}
	}
	return true
}

// runQueryBlock runs each statement of an SQL block on the demo's DuckDB,
// as it is (comments too), from a file: an argument starting with -- would
// be a flag.
func runQueryBlock(t *testing.T, b readmeBlock) int {
	t.Helper()
	ran := 0
	for i, stmt := range strings.Split(strings.Join(b.lines, "\n"), ";\n") {
		if strings.TrimSpace(stripComments(stmt)) == "" {
			continue
		}
		file := filepath.Join(t.TempDir(), fmt.Sprintf("q%d.sql", i))
		if err := os.WriteFile(file, []byte(stmt), 0o644); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := runCLIAll(t, "query", "--warehouse", "duckdb://./synctrack-demo.duckdb", "-f", file)
		ran++
		if code != 0 || !(strings.Contains(stdout, " rows)") || strings.Contains(stdout, "(1 row)")) {
			t.Errorf("README (%s) SQL:\n%s\nexit %d: %s%s", b.section, stmt, code, stdout, stderr)
		}
	}
	return ran
}

func stripComments(sql string) string {
	var keep []string
	for _, l := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// checkParses finds the command and parses its flags and arguments as
// cobra would, and checks its warehouse URL with its engine.
func checkParses(t *testing.T, where, line string, args []string) {
	t.Helper()
	root := newRootCommand()
	c, rest, err := root.Find(args)
	if err == nil && c == root {
		err = errUnknown
	}
	if err == nil {
		err = c.ParseFlags(rest)
	}
	if err == nil {
		err = c.ValidateArgs(c.Flags().Args())
	}
	if err == nil {
		if wh, _ := c.Flags().GetString("warehouse"); wh != "" {
			_, err = engines.Check(wh)
		}
	}
	if err != nil {
		t.Errorf("%s: %s: %v", where, line, err)
	}
}

var errUnknown = os.ErrInvalid

// joinContinued joins lines ending in a backslash with the next.
func joinContinued(lines []string) []string {
	var out []string
	cur := ""
	for _, l := range lines {
		if strings.HasSuffix(l, "\\") {
			cur += strings.TrimSuffix(l, "\\")
			continue
		}
		out = append(out, cur+l)
		cur = ""
	}
	return out
}

// synctrackArgs splits a shell line that runs synctrack (synctrack,
// ./synctrack or go run ./cmd/synctrack) into its arguments, as sh would
// for quotes and comments.
func synctrackArgs(line string) ([]string, bool) {
	words := shellWords(line)
	switch {
	case len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/synctrack":
		return words[3:], true
	case len(words) >= 1 && filepath.Base(words[0]) == "synctrack" && words[0] != "./cmd/synctrack":
		return words[1:], true
	}
	return nil, false
}

func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	in, quote, escaped := false, rune(0), false
	for _, r := range line {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped, in = false, true
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\\':
			escaped = true
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == '#' && !in:
			return words
		case r == ' ' || r == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}
