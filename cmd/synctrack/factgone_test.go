package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A loaded fact file deleted from the bucket: plan says which table it
// would rebuild without it (and, with -v, names the file), load says how
// many files' rows left, as both do for deleted failures; then nothing.
func TestPlanAndLoadTellOfADeletedFactFile(t *testing.T) {
	bucket := generateBucket(t, "--orgs", "2", "--syncs", "1", "--runs", "1", "--files", "1", "--rows", "10")
	wh := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	args := []string{"--bucket", "file://" + bucket, "--warehouse", wh}
	if code, out := runCLI(t, append([]string{"load"}, args...)...); code != 0 {
		t.Fatalf("first load: exit %d\n%s", code, out)
	}
	key := "metadata/1002/destinations.parquet"
	if err := os.Remove(filepath.Join(bucket, filepath.FromSlash(key))); err != nil {
		t.Fatal(err)
	}
	code, out := runCLI(t, append([]string{"plan", "-v"}, args...)...)
	if code != 0 || !strings.Contains(out, "would rebuild fact table destinations from 1 files, without the rows of 1 loaded files no longer in the bucket") ||
		!strings.Contains(out, "  deleted     loaded  "+key+"\n") {
		t.Errorf("plan: exit %d\n%s", code, out)
	}
	code, out = runCLI(t, append([]string{"load"}, args...)...)
	if code != 0 || !strings.Contains(out, "1 loaded fact files are no longer in the bucket: their rows left the fact tables") {
		t.Errorf("load: exit %d\n%s", code, out)
	}
	code, out = runCLI(t, append([]string{"query", "--warehouse", wh}, "select count(*) as n from synctrack.destinations where _file = '"+key+"'")...)
	if code != 0 || !strings.Contains(out, "\n0\n") {
		t.Errorf("the deleted file's rows: exit %d\n%s", code, out)
	}
	for _, cmd := range []string{"plan", "load"} {
		if code, out := runCLI(t, append([]string{cmd}, args...)...); code != 0 || strings.Contains(out, "no longer in the bucket") {
			t.Errorf("%s once done: exit %d\n%s", cmd, code, out)
		}
	}
}
