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

// A loaded fact file deleted from the bucket: status says its rows left
// the fact tables, and its ledger row keeps the size, rows and loaded_at
// of the version loaded, its error saying when the load found it gone
// (a user audit: they read 0, 0 and NULL, the row told nothing of what
// the file was, and status did not say its rows were gone).
func TestStatusTellsOfADeletedFactFile(t *testing.T) {
	bucket := generateBucket(t, "--orgs", "2", "--syncs", "1", "--runs", "1", "--files", "1", "--rows", "10")
	wh := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	args := []string{"--bucket", "file://" + bucket, "--warehouse", wh}
	if code, out := runCLI(t, append([]string{"load"}, args...)...); code != 0 {
		t.Fatalf("first load: exit %d\n%s", code, out)
	}
	key := "metadata/1002/destinations.parquet"
	row := "select size, rows, loaded_at is not null as loaded, error from synctrack.load_ledger where key = '" + key + "'"
	_, before := runCLI(t, "query", "--warehouse", wh, "--format", "csv", row)
	if err := os.Remove(filepath.Join(bucket, filepath.FromSlash(key))); err != nil {
		t.Fatal(err)
	}
	if code, out := runCLI(t, append([]string{"load"}, args...)...); code != 0 {
		t.Fatalf("load after the delete: exit %d\n%s", code, out)
	}
	_, after := runCLI(t, "query", "--warehouse", wh, "--format", "csv", row)
	// size,rows,loaded,error: the first three as loaded; no error before.
	b, a := strings.Split(strings.TrimSpace(before), "\n"), strings.Split(strings.TrimSpace(after), "\n")
	if len(b) != 2 || len(a) != 2 || !strings.HasSuffix(b[1], ",true,") || !strings.HasPrefix(a[1], strings.TrimSuffix(b[1], ",")+",") ||
		!strings.Contains(a[1], "deleted from the bucket while loaded (attempts: 1); gone by ") ||
		!strings.HasSuffix(a[1], ": its rows left destinations") {
		t.Errorf("ledger row before the delete:\n%s\nafter:\n%s", before, after)
	}
	code, out := runCLI(t, "status", "--warehouse", wh)
	if code != 0 || !strings.Contains(out, "deleted from the bucket: 1 loaded fact files, their ") ||
		!strings.Contains(out, " rows taken out of the fact tables") || strings.Contains(out, "their 0 rows") {
		t.Errorf("status: exit %d\n%s", code, out)
	}
}
