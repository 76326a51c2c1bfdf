package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
)

// A file:// bucket's run folder or file named like one of fileblob's
// escapes ("__0x39__") is planned and loaded under its own name: fileblob
// listed 88__0x39__1 as 8891, and its files were never loaded, on every
// load, with 0 failed.
func TestEscapeLikeNamesPlanAndLoad(t *testing.T) {
	dir := t.TempDir()
	bucket := filepath.Join(dir, "bucket")
	if code, errs := runCLI(t, "generate", "--out", bucket, "--orgs", "1", "--syncs", "1", "--runs", "2", "--files", "2", "--rows", "10"); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, errs)
	}
	runs, err := filepath.Glob(filepath.Join(bucket, loader.RunsPrefix, "*", "*", "*"))
	if err != nil || len(runs) != 2 {
		t.Fatalf("want the two generated run folders, got %q (%v)", runs, err)
	}
	if err := os.Rename(runs[0], runs[0]+"__0x39__1"); err != nil {
		t.Fatal(err)
	}
	parquets, _ := filepath.Glob(filepath.Join(runs[1], "*.parquet"))
	if len(parquets) == 0 {
		t.Fatal("no records file in the second run folder")
	}
	if err := os.Rename(parquets[0], filepath.Join(runs[1], "records__0x75__pdated.5.parquet")); err != nil {
		t.Fatal(err)
	}
	var keys []string
	records := 0
	err = filepath.WalkDir(bucket, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(bucket, p)
		k := filepath.ToSlash(rel)
		if c := loader.Classify(k); c.Kind != loader.KindIgnored {
			keys = append(keys, k)
			if c.Kind == loader.KindRecords {
				records++
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(keys)

	url, wh := "file://"+bucket, "duckdb://"+filepath.Join(dir, "w.duckdb")
	code, out := runCLI(t, "plan", "--bucket", url, "--warehouse", wh)
	if want := fmt.Sprintf("would load: %d records files", records); code != 0 || !strings.Contains(out, want) {
		t.Fatalf("plan: exit %d, %q; want it to say %q", code, out, want)
	}
	if code, out := runCLI(t, "load", "--bucket", url, "--warehouse", wh); code != 0 || !strings.Contains(out, fmt.Sprintf("%d loaded now", len(keys))) {
		t.Fatalf("load: exit %d, %q; want all %d files loaded", code, out, len(keys))
	}
	code, out = runCLI(t, "query", "--warehouse", wh, "--format", "csv",
		"SELECT key FROM synctrack.load_ledger WHERE status = 'loaded' UNION ALL SELECT DISTINCT _file FROM synctrack.sync_records ORDER BY 1")
	got := strings.Fields(out)
	var want []string
	for _, k := range keys {
		want = append(want, k)
		if loader.Classify(k).Kind == loader.KindRecords {
			want = append(want, k) // its ledger row and its rows' _file
		}
	}
	sort.Strings(want)
	if code != 0 || len(got) == 0 || strings.Join(got[1:], " ") != strings.Join(want, " ") {
		t.Errorf("loaded keys and _file: exit %d\n got %q\nwant %q", code, got, want)
	}
}

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
