package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An object that keeps failing is quarantined after --quarantine-after tries:
// status lists it as such, loads stop reading it, and synctrack retry puts it
// back so the next load tries it again.
func TestQuarantineAndRetryCommand(t *testing.T) {
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--rows", "5")
	wh := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	runs, _ := filepath.Glob(filepath.Join(bucket, "sync_tracking_datasets", "*", "*", "*"))
	if err := os.WriteFile(filepath.Join(runs[0], "records_updated.66.parquet"), []byte("PAR1 not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	load := func() (int, string) {
		return runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh, "--settle", "0", "--quarantine-after", "2")
	}
	if code, out := load(); code != 1 || strings.Contains(out, "now quarantined") || !strings.Contains(out, "the next load tries the failed object again") {
		t.Fatalf("first failure: exit %d: %s", code, out)
	}
	if code, out := load(); code != 1 || !strings.Contains(out, "now quarantined") {
		t.Fatalf("second failure: exit %d, want 1 and quarantined: %s", code, out)
	}
	if code, out := load(); code != 0 || !strings.Contains(out, "1 quarantined objects were not read") {
		t.Fatalf("load with the object in quarantine: exit %d, want 0 and a note: %s", code, out)
	}
	if _, out := runCLI(t, "status", "--warehouse", wh); !strings.Contains(out, "quarantined sync_tracking_datasets/") {
		t.Fatalf("status does not list the quarantined object: %s", out)
	}
	if _, out := runCLI(t, "plan", "--bucket", "file://"+bucket, "--warehouse", wh); !strings.Contains(out, ", 1 quarantined (") {
		t.Errorf("plan does not say an object is quarantined: %s", out)
	}
	for _, args := range [][]string{{"retry", "--warehouse", wh}, {"retry", "--warehouse", wh, "--all", "some/key"}} {
		if code, out := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, out)
		}
	}
	// A key not in the ledger at all is mistyped: named, exit 2 (it was 0,
	// as if retried), and no "0 put back" line, as if something was done.
	if code, out, errs := runCLIAll(t, "retry", "--warehouse", wh, "nosuch/key.parquet"); code != 2 ||
		out != "" || !strings.Contains(errs, "not in load_ledger") || !strings.Contains(errs, "nosuch/key.parquet") {
		t.Fatalf("retry of a key not in the ledger: exit %d: %s%s", code, out, errs)
	}
	loadedKey, err := filepath.Rel(bucket, filepath.Join(runs[0], "records_updated.0.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	// One in the ledger but not quarantined is named, not just counted; the
	// exit code stays 0.
	if code, out := runCLI(t, "retry", "--warehouse", wh, loadedKey); code != 0 ||
		!strings.Contains(out, "0 quarantined objects put back") || !strings.Contains(out, "not put back (see synctrack status): "+loadedKey+"\n") {
		t.Fatalf("retry of a key not quarantined: exit %d: %s", code, out)
	}
	if code, out := runCLI(t, "retry", "--warehouse", wh, "--all"); code != 0 || !strings.Contains(out, "1 quarantined objects put back") {
		t.Fatalf("retry --all: exit %d: %s", code, out)
	}
	if code, out := load(); code != 1 || !strings.Contains(out, "records_updated.66.parquet") {
		t.Fatalf("load after retry: exit %d, want 1 with the object tried again: %s", code, out)
	}
}

// status writes a control character in a key as an escape (\t, \x1b):
// retry takes the key as status prints it, as well as the key itself; a key
// with a backslash of its own and a control character too (which neither
// reading of the printed text gave back) among them.
func TestRetryTakesKeysAsStatusPrintsThem(t *testing.T) {
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--rows", "5")
	wh := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	runs, _ := filepath.Glob(filepath.Join(bucket, "sync_tracking_datasets", "*", "*", "*"))
	for _, name := range []string{"records_updated.66\tx.parquet", "records_updated.67\x1b.parquet", "records_updated.68\x01.parquet", `records_updated.69\x01` + "\x02.parquet"} {
		if err := os.WriteFile(filepath.Join(runs[0], name), []byte("PAR1 not really"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, out := runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh, "--settle", "0", "--quarantine-after", "1"); code != 1 {
		t.Fatalf("load: exit %d: %s", code, out)
	}
	_, out := runCLI(t, "status", "--warehouse", wh)
	var printed []string
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "quarantined sync_tracking_datasets/"); ok {
			key, _, _ := strings.Cut(rest, " (attempts")
			printed = append(printed, "sync_tracking_datasets/"+key)
		}
	}
	if len(printed) != 4 || !strings.Contains(out, `records_updated.67\x1b.parquet`) || !strings.Contains(out, `records_updated.69\x01\x02.parquet`) {
		t.Fatalf("status lists %q:\n%s", printed, out)
	}
	// Three as printed, the fourth as it is.
	raw := filepath.ToSlash(filepath.Join(strings.TrimPrefix(runs[0], bucket+"/"), "records_updated.68\x01.parquet"))
	args := []string{"retry", "--warehouse", wh, raw}
	for _, p := range printed {
		if !strings.Contains(p, ".68") {
			args = append(args, p)
		}
	}
	if code, out, errs := runCLIAll(t, args...); code != 0 || out != "4 quarantined objects put back; the next load reads them again\n" {
		t.Fatalf("retry %q: exit %d: %s%s", printed, code, out, errs)
	}
	if _, out := runCLI(t, "status", "--warehouse", wh); strings.Contains(out, "quarantined sync_tracking_datasets/") {
		t.Fatalf("still quarantined:\n%s", out)
	}
}

// Text status prints for two keys (a control character and the escape
// typed out, in either order) names neither: the user's to resolve, exit 2
// with the way out, not exit 3's "try again later", which never passes.
func TestRetryOfTextTwoKeysPrintAsIsUsage(t *testing.T) {
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--rows", "5")
	wh := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	runs, _ := filepath.Glob(filepath.Join(bucket, "sync_tracking_datasets", "*", "*", "*"))
	for _, name := range []string{"records_updated.70\x01" + `\x01.parquet`, `records_updated.70\x01` + "\x01.parquet"} {
		if err := os.WriteFile(filepath.Join(runs[0], name), []byte("PAR1 not really"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, out := runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh, "--settle", "0", "--quarantine-after", "1"); code != 1 {
		t.Fatalf("load: exit %d: %s", code, out)
	}
	printed := filepath.ToSlash(filepath.Join(strings.TrimPrefix(runs[0], bucket+"/"), `records_updated.70\x01\x01.parquet`))
	code, out, errs := runCLIAll(t, "retry", "--warehouse", wh, printed)
	if code != 2 || !strings.Contains(errs, "2 keys") || !strings.Contains(errs, "--all") {
		t.Fatalf("retry %q: exit %d: %s%s; want exit 2 naming the two keys and --all", printed, code, out, errs)
	}
}
