package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/gen"
)

// The line generate prints runs as printed in a shell, whatever the
// folder's name: a space or a quote in it is quoted.
func TestGeneratePrintsALineThatRuns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "it's a bucket")
	code, out, errs := runCLIAll(t, "generate", "--out", dir, "--orgs", "1", "--syncs", "1", "--runs", "1", "--files", "1", "--rows", "5")
	if code != 0 {
		t.Fatalf("generate: exit %d, %q", code, errs)
	}
	_, line, ok := strings.Cut(out, "load it with: ")
	if !ok {
		t.Fatalf("no line to load it with in %q", out)
	}
	line = strings.TrimSpace(line)
	if !strings.Contains(line, ` load --bucket 'file://`) {
		t.Errorf("the bucket is not quoted: %s", line)
	}
	// The shell's own reading of the line from --bucket on: a word a line.
	_, rest, _ := strings.Cut(line, " load ")
	got, err := exec.Command("sh", "-c", "printf '%s\\n' "+rest).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "--bucket\nfile://" + dir + "\n--warehouse\n"; !strings.HasPrefix(string(got), want) {
		t.Errorf("the shell reads %q; want it to start %q", got, want)
	}
}

func TestShellWord(t *testing.T) {
	for in, want := range map[string]string{
		"./synctrack":        "./synctrack",
		"file:///tmp/bucket": "file:///tmp/bucket",
		"/tmp/a b":           "'/tmp/a b'",
		"it's":               `'it'\''s'`,
		"":                   "''",
		"$(rm -rf ~)":        "'$(rm -rf ~)'",
	} {
		if got := shellWord(in); got != want {
			t.Errorf("shellWord(%q) = %s, want %s", in, got, want)
		}
	}
}

// Counts whose product is over gen.MaxObjects (an audit's took 23 GB to
// plan, and some do not fit an int) are a usage error naming the flags and
// the limit, before --out is made.
func TestGenerateRefusesTooManyObjects(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "g")
	for _, c := range [][]string{
		{"--files", strconv.Itoa(gen.MaxObjects)},
		{"--orgs", "4294967296", "--syncs", "4294967296"},
	} {
		code, _, errs := runCLIAll(t, append([]string{"generate", "--out", dir}, c...)...)
		if code != 2 || !strings.Contains(errs, c[0]+" "+c[1]) || !strings.Contains(errs, "over "+strconv.Itoa(gen.MaxObjects)+" objects") {
			t.Errorf("generate %s: exit %d, %q; want 2 naming %s and the limit", strings.Join(c, " "), code, errs, c[0])
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("%s was made", dir)
	}
}

// Rows cost no memory but disk: a bucket larger than the disk's free space
// (a typo's --rows) is a usage error saying both figures, before --out is
// made, not a disk filled file by file. Within the free space it is written.
func TestGenerateRefusesMoreThanTheDiskHolds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "g")
	// Under a deadline: a generate that started writing ends with it.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code, _, errs := runCLICtx(t, ctx, "generate", "--out", dir, "--orgs", "1", "--syncs", "1", "--runs", "1",
		"--files", "1000", "--rows", "1000000000000000000")
	if code != 2 || !strings.Contains(errs, "1e+21 records rows") || !strings.Contains(errs, "free") || !strings.Contains(errs, "--rows") {
		t.Errorf("exit %d, %q; want 2 saying the rows need more than the disk has free", code, errs)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("%s was made", dir)
	}
	if code, _, errs := runCLICtx(t, ctx, "generate", "--out", dir, "--orgs", "1", "--syncs", "1", "--runs", "1", "--files", "1", "--rows", "10"); code != 0 {
		t.Errorf("a small bucket: exit %d, %s", code, errs)
	}
}
