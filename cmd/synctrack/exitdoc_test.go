package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README and `synctrack --help` give the same exit codes, 0 to 3, with
// the same words: scripts and cron jobs are written from either.
func TestExitCodesDocumented(t *testing.T) {
	code, help := runCLI(t, "--help")
	if code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	_, block, ok := strings.Cut(help, "Exit codes:\n")
	if !ok {
		t.Fatalf("--help has no exit codes: %s", help)
	}
	// "  N  headline: more" with continuation lines indented further.
	entries := regexp.MustCompile(`(?m)^  (\d)  (.*(?:\n     .*)*)`).FindAllStringSubmatch(block, -1)
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := flat(strings.ReplaceAll(string(raw), "`", ""))
	var codes []string
	for _, e := range entries {
		codes = append(codes, e[1])
		headline, _, _ := strings.Cut(flat(e[2]), ":")
		if !strings.Contains(readme, e[1]+" "+headline) {
			t.Errorf("the README does not give exit code %s as --help does: %q", e[1], e[1]+" "+headline)
		}
	}
	if got := strings.Join(codes, ","); got != "0,1,2,3" {
		t.Fatalf("--help lists exit codes %s, want 0,1,2,3", got)
	}
	for _, c := range []int{exitOK, exitFailed, exitConfig, exitUnavailable} {
		if !strings.Contains(block, "  "+string(rune('0'+c))+"  ") {
			t.Errorf("exit code %d is not in --help", c)
		}
	}
}

// flat collapses runs of white space to one space.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }
