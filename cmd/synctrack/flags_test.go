package main

import (
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Numbers that mean nothing are refused before anything is opened or
// written, naming the flag; the loader and gen would take their defaults
// for them without a word.
func TestNonsenseNumbersRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	load := []string{"load", "--bucket", "file://" + dir, "--warehouse", "duckdb://" + db}
	for _, c := range [][]string{
		append(load, "--workers", "0"), append(load, "--workers", "-1"), append(load, "--batch-files", "-5"),
		append(load, "--batch-bytes", "-1"), append(load, "--settle", "-1s"), append(load, "--lock-wait", "-1s"),
		append(load, "--quarantine-after", "-1"),
		// status listed every failed object for any negative --errors.
		{"status", "--warehouse", "duckdb://" + db, "--errors", "-2"},
		{"generate", "--out", filepath.Join(dir, "g"), "--rows", "0"}, {"generate", "--out", filepath.Join(dir, "g"), "--syncs", "-1"},
	} {
		flag := c[len(c)-2]
		if code, _, errs := runCLIAll(t, c...); code != 2 || !strings.Contains(errs, flag+" "+c[len(c)-1]) {
			t.Errorf("%s: exit %d, %q; want 2 naming %s", strings.Join(c, " "), code, errs, flag)
		}
	}
	for _, p := range []string{db, filepath.Join(dir, "g")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was made", p)
		}
	}
}

// A path the user gave that cannot be written (no such folder, a file in
// the way) is theirs to fix: exit 2 naming it, not 3 ("try again later").
func TestBadLocalPathsAreUsageErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	wh := "duckdb://" + filepath.Join(dir, "w.duckdb")
	if code, out := runCLI(t, "load", "--bucket", "file://"+dir, "--warehouse", wh); code != 0 {
		t.Fatalf("load of an empty folder: %d %s", code, out)
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"load", "--bucket", "file://" + dir, "--warehouse", "duckdb://" + filepath.Join(dir, "nodir", "w.duckdb")}, "no folder " + filepath.Join(dir, "nodir")},
		// A file where the folder should be was "no folder" before: it is there.
		{[]string{"load", "--bucket", "file://" + dir, "--warehouse", "duckdb://" + filepath.Join(file, "w.duckdb")}, file + " is a file, not a folder"},
		{[]string{"load", "--bucket", "file://" + dir, "--warehouse", "duckdb://" + filepath.Join(file, "sub", "w.duckdb")}, file + " is a file, not a folder"},
		{[]string{"generate", "--out", file}, "--out " + file},
		{[]string{"query", "--warehouse", wh, "--out", filepath.Join(dir, "nodir", "x.csv"), "SELECT 1"}, "--out " + filepath.Join(dir, "nodir", "x.csv")},
		// dbt into a file, or into a folder under a file: exit 3 before.
		{[]string{"dbt", "--warehouse", wh, "--out", file}, "--out " + file + ": is a file"},
		{[]string{"dbt", "--warehouse", wh, "--out", filepath.Join(file, "models")}, "--out " + filepath.Join(file, "models")},
	} {
		if code, _, errs := runCLIAll(t, c.args...); code != 2 || !strings.Contains(errs, c.says) {
			t.Errorf("%s: exit %d, %q; want 2 saying %q", strings.Join(c.args, " "), code, errs, c.says)
		}
	}
}

// check: true in a config file would make every start of the daemon a
// check that exits 0 (a restart loop under systemd): flags that only make
// sense on a command line are refused as config keys. So are all: true,
// with which a shared file made a retry of one key put back every
// quarantined object, and force: true (dbt overwriting the user's files).
func TestConfigRefusesCommandLineOnlyKeys(t *testing.T) {
	dir := t.TempDir()
	for _, key := range []string{"check: true", "config: other.yaml", "dry_run: true", "all: true", "force: true"} {
		p := filepath.Join(dir, "c.yaml")
		body := "bucket: file://" + dir + "\nwarehouse: duckdb://" + filepath.Join(dir, "w.duckdb") + "\n" + key + "\n"
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		name, _, _ := strings.Cut(key, ":")
		if code, _, errs := runCLIAll(t, "status", "--config", p); code != 2 || !strings.Contains(errs, `"`+name+`" is a command-line flag only`) {
			t.Errorf("%s in a config file: exit %d, %q", key, code, errs)
		}
	}
}

// run --check refuses the values the start refuses, which it used to pass.
func TestRunCheckRefusesWhatTheStartRefuses(t *testing.T) {
	dir := t.TempDir()
	base := []string{"run", "--bucket", "file://" + dir, "--warehouse", "duckdb://" + filepath.Join(dir, "w.duckdb"), "--check"}
	for _, extra := range [][]string{{"--memory-limit", "12 bananas"}, {"--retention", "-3"}, {"--workers", "0"}, {"--grace-period", "-5s"}} {
		if code, _, errs := runCLIAll(t, append(base, extra...)...); code != 2 || !strings.Contains(strings.ReplaceAll(errs, "_", "-"), strings.TrimPrefix(extra[0], "--")) {
			t.Errorf("run --check %v: exit %d, %q", extra, code, errs)
		}
	}
	if code, out := runCLI(t, base...); code != 0 || !strings.Contains(out, "config ok") {
		t.Errorf("a good config: exit %d: %s", code, out)
	}
}

// Two targets on one warehouse, its URL written two ways, are refused by
// --check (and the start): the command hands the daemon the registry's
// identity of a warehouse URL.
func TestRunCheckRefusesTwoTargetsOnOneWarehouse(t *testing.T) {
	dir := t.TempDir()
	for _, whs := range [][2]string{
		{"duckdb://" + filepath.Join(dir, "w.duckdb"), "duckdb://" + dir + "/./w.duckdb?threads=1"},
		{"postgres://u@db.example/st", "postgresql://other@DB.example:5432/st?schema=synctrack"},
	} {
		cfg := filepath.Join(dir, "two.yaml")
		yaml := "targets:\n  - name: a\n    bucket: file://" + dir + "\n    warehouse: " + whs[0] +
			"\n  - name: b\n    bucket: file://" + dir + "\n    warehouse: " + whs[1] + "\n"
		if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, _, errs := runCLIAll(t, "run", "--config", cfg, "--check"); code != 2 || !strings.Contains(errs, "both load warehouse") {
			t.Errorf("targets on %s and %s: exit %d, %q; want 2, both load one warehouse", whs[0], whs[1], code, errs)
		}
	}
}

// A cron schedule that never fires (the 30th of February) parses, and the
// daemon used to start with it and never load; --check refuses it as the
// start does (the same daemonConfig), naming the key and the expression,
// from a flag or a target's key.
func TestRunRefusesScheduleThatNeverFires(t *testing.T) {
	dir := t.TempDir()
	wh := "duckdb://" + filepath.Join(dir, "w.duckdb")
	code, _, errs := runCLIAll(t, "run", "--bucket", "file://"+dir, "--warehouse", wh, "--check", "--schedule", "0 0 30 2 *")
	if code != 2 || !strings.Contains(errs, `schedule "0 0 30 2 *": never fires`) {
		t.Errorf("--schedule '0 0 30 2 *' --check: exit %d, %q", code, errs)
	}
	cfg := filepath.Join(dir, "synctrack.yaml")
	yaml := "targets:\n  - bucket: file://" + dir + "\n    warehouse: " + wh + "\n    facts_schedule: \"0 0 31 4 *\"\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCLIAll(t, "run", "--config", cfg, "--check")
	if code != 2 || !strings.Contains(errs, `facts_schedule "0 0 31 4 *": never fires`) {
		t.Errorf("facts_schedule 0 0 31 4 * --check: exit %d, %q", code, errs)
	}
}

// --grace-period 0s means no grace, from a flag, the environment or the
// config file; it used to become the default 30s unseen. Unset is 30s.
func TestRunGracePeriodZero(t *testing.T) {
	dir := t.TempDir()
	base := []string{"run", "--bucket", "file://" + dir, "--warehouse", "duckdb://" + filepath.Join(dir, "w.duckdb"), "--check"}
	cfg := filepath.Join(dir, "synctrack.yaml")
	if err := os.WriteFile(cfg, []byte("grace_period: 0s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const none = "cancelled at once (grace period 0s)"
	for name, c := range map[string]struct {
		args []string
		env  string
		says string
	}{
		"flag":    {args: []string{"--grace-period", "0s"}, says: none},
		"env":     {env: "0", says: none},
		"file":    {args: []string{"--config", cfg}, says: none},
		"unset":   {says: "grace period, 30s"},
		"flag 5s": {args: []string{"--config", cfg, "--grace-period", "5s"}, says: "grace period, 5s"},
	} {
		t.Run(name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv("SYNCTRACK_GRACE_PERIOD", c.env)
			}
			if code, out := runCLI(t, append(base, c.args...)...); code != 0 || !strings.Contains(out, c.says) {
				t.Errorf("exit %d, want %q in:\n%s", code, c.says, out)
			}
		})
	}
}

// A bucket with nothing under the two prefixes (often --bucket naming the
// wrong folder or bucket) is not an error, but load and plan say where they
// looked rather than only "listed 0 objects", exit 0.
func TestEmptyBucketSaysWhereItLooked(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.csv"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	wh := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	for _, cmd := range []string{"plan", "load"} {
		code, out := runCLI(t, cmd, "--bucket", "file://"+dir, "--warehouse", wh)
		if code != 0 || !strings.Contains(out, "nothing under sync_tracking_datasets/ or metadata/ in bucket file://"+dir) {
			t.Errorf("%s of a folder without the layout: exit %d:\n%s", cmd, code, out)
		}
	}
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--rows", "10")
	if code, out := runCLI(t, "plan", "--bucket", "file://"+bucket, "--warehouse", wh); code != 0 || strings.Contains(out, "nothing under") {
		t.Errorf("plan of a generated bucket: exit %d:\n%s", code, out)
	}
	// One level too deep, as pasted from a file manager showing the runs:
	// the note names the bucket to give.
	for _, deep := range []string{"/sync_tracking_datasets", "/sync_tracking_datasets/1001/", "/metadata"} {
		code, out := runCLI(t, "plan", "--bucket", "file://"+bucket+deep, "--warehouse", wh)
		if code != 0 || !strings.Contains(out, "a folder synctrack finds in the bucket itself: try --bucket file://"+bucket+"\n") {
			t.Errorf("plan of %s: exit %d:\n%s", deep, code, out)
		}
	}
	if _, out := runCLI(t, "plan", "--bucket", "file://"+dir, "--warehouse", wh); strings.Contains(out, "try --bucket") {
		t.Errorf("a folder without the layout got a suggestion:\n%s", out)
	}
}

func TestBucketAbove(t *testing.T) {
	for in, want := range map[string]string{
		"s3://bkt/sync_tracking_datasets":                           "s3://bkt",
		"s3://bkt/pre/sync_tracking_datasets/1001?region=eu-west-1": "s3://bkt/pre?region=eu-west-1",
		"gs://bkt/metadata/":                                        "gs://bkt",
		"file://./logs/sync_tracking_datasets":                      "file://./logs",
		"s3://bkt/pre":                                              "",
		"s3://bkt/sync_tracking_datasets_old":                       "",
	} {
		got, _, ok := bucketAbove(in)
		if got != want || ok != (want != "") {
			t.Errorf("%s: %q, %v; want %q", in, got, ok, want)
		}
	}
}

// A bucket URL without a bucket's name, with a parameter its driver does not
// know, or a gs:// one without Google credentials, is the user's to fix:
// exit 2, not 3 ("the bucket did not answer; try again"). Without
// credentials gocloud printed a warning on stdout, amid the load's report.
func TestBucketURLsTheUserMustFix(t *testing.T) {
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "none.json"))
	t.Setenv("STORAGE_EMULATOR_HOST", "")
	wh := "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")
	for bucket, says := range map[string]string{
		"s3://":       `bucket URL "s3://": no bucket name`,
		"gs://?x=1":   `bucket URL "gs://?x=1": no bucket name`,
		"gs://b":      `bucket URL "gs://b": no Google credentials`,
		"s3://b?xy=1": `unknown query parameter "xy"`,
	} {
		code, out, errs := runCLIAll(t, "load", "--bucket", bucket, "--warehouse", wh)
		if code != 2 || !strings.Contains(errs, says) || out != "" {
			t.Errorf("--bucket %s: exit %d, stdout %q, stderr %q; want 2 saying %q", bucket, code, out, errs, says)
		}
	}
	// A public bucket, read anonymously as the URL asks, needs no
	// credentials: refused up front, it was a regression (a review).
	for _, u := range []*url.URL{{Scheme: "gs", Host: "b", RawQuery: "anonymous=true"}, {Scheme: "gs", Host: "b", RawQuery: "access_id=-"}} {
		if err := gcsCredentials(context.Background(), u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	if err := gcsCredentials(context.Background(), &url.URL{Scheme: "gs", Host: "b", RawQuery: "anonymous=false"}); err == nil {
		t.Error("gs://b?anonymous=false: no credentials asked for")
	}
}

// A daemon's config file, its warehouses in targets:, given to a command
// that takes one --warehouse said only "no warehouse"; it names the targets'
// warehouses now. An empty SYNCTRACK_WAREHOUSE overrode the file's warehouse
// with nothing.
func TestConfigFileWarehouseForOtherCommands(t *testing.T) {
	dir := t.TempDir()
	p, db := filepath.Join(dir, "c.yaml"), filepath.Join(dir, "w.duckdb")
	body := "targets:\n  - name: prod\n    bucket: file://" + dir + "\n    warehouse: duckdb://" + db + "\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLIAll(t, "status", "--config", p)
	if code != 2 || !strings.Contains(errs, "only synctrack run reads") || !strings.Contains(errs, "prod: duckdb://"+db) {
		t.Errorf("status with a daemon's config: exit %d, %q", code, errs)
	}
	// An empty SYNCTRACK_TARGETS hid the file's targets: "no targets".
	t.Setenv("SYNCTRACK_TARGETS", "")
	if code, _, errs = runCLIAll(t, "run", "--config", p, "--check"); code != 2 || !strings.Contains(errs, "SYNCTRACK_TARGETS is set but empty") {
		t.Errorf("run with SYNCTRACK_TARGETS empty: exit %d, %q", code, errs)
	}
	os.Unsetenv("SYNCTRACK_TARGETS")
	// A target without a name is called as the daemon calls it, not <nil>.
	if err := os.WriteFile(p, []byte("targets:\n  - warehouse: duckdb://"+db+"\n    bucket: file://"+dir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs = runCLIAll(t, "records", "--config", p); code != 2 || !strings.Contains(errs, "(default: duckdb://"+db+")") {
		t.Errorf("records with an unnamed target: exit %d, %q", code, errs)
	}
	if err := os.WriteFile(p, []byte("warehouse: duckdb://"+db+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SYNCTRACK_WAREHOUSE", "")
	code, _, errs = runCLIAll(t, "status", "--config", p)
	if code != 2 || !strings.Contains(errs, "SYNCTRACK_WAREHOUSE is set but empty, over config "+p+"'s warehouse") {
		t.Errorf("status with SYNCTRACK_WAREHOUSE empty: exit %d, %q; want it named", code, errs)
	}
}

// out: in a shared config file sent every export of query, report and
// records to one file; generate's and dbt's --out is a folder, and the
// daemon's config may hold it (a review found refusing it everywhere broke
// run). An empty SYNCTRACK_LISTEN still turns the listener off.
func TestConfigOutOnlyForFolders(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	body := "bucket: file://" + dir + "\nwarehouse: duckdb://" + filepath.Join(dir, "w.duckdb") + "\nout: " + filepath.Join(dir, "models") + "\nlisten: 127.0.0.1:0\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]string{{"query", "SELECT 1"}, {"report", "run_outcomes"}, {"records"}} {
		code, _, errs := runCLIAll(t, append(c, "--config", p)...)
		if code != 2 || !strings.Contains(errs, c[0]+" takes --out on the command line only") {
			t.Errorf("%s with out: in the file: exit %d, %q", c[0], code, errs)
		}
	}
	t.Setenv("SYNCTRACK_LISTEN", "")
	code, out, errs := runCLIAll(t, "run", "--config", p, "--check")
	if code != 0 || !strings.Contains(out, "webhook off: no --listen") {
		t.Errorf("run --check with out: in the file and SYNCTRACK_LISTEN empty: exit %d:\n%s%s", code, out, errs)
	}
}

// A command that only groups others refuses an argument naming none of
// them, listing them: completion tcsh printed the help and exited 0, so a
// script that saved its output as a completion script got the help.
func TestUnknownSubcommandRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"completion", "tcsh"}, `unsupported shell "tcsh" for "synctrack completion": want bash, fish, powershell, zsh`},
		{[]string{"sql", "lst"}, `unknown command "lst" for "synctrack sql": want list, render`},
	} {
		if code, out, errs := runCLIAll(t, c.args...); code != 2 || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stdout %.80q, stderr %q; want 2 saying %q", strings.Join(c.args, " "), code, out, errs, c.want)
		}
	}
	for _, args := range [][]string{{"completion", "zsh"}, {"completion"}, {"sql"}} {
		if code, out, errs := runCLIAll(t, args...); code != 0 || out == "" {
			t.Errorf("%s: exit %d, %d bytes out: %s", strings.Join(args, " "), code, len(out), errs)
		}
	}
}

// A word the command does not take is named with what the command wants:
// cobra said `unknown command "file:///b" for "synctrack load"` for a value
// whose flag was left out, "accepts at most 1 arg(s), received 2" for an
// unquoted statement, and "accepts 1 arg(s), received 0" for sql render
// without its template.
func TestStrayArgumentsSaid(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"load", "file:///tmp/b"}, `load takes no argument, but was given "file:///tmp/b": a value goes after its flag (synctrack load --bucket URL --warehouse URL [flags])`},
		{[]string{"sql", "list", "x"}, `sql list takes no argument, but was given "x"`},
		{[]string{"status", "duckdb://./w.duckdb"}, `status takes no argument, but was given "duckdb://./w.duckdb"`},
		{[]string{"query", "--warehouse", "duckdb://./w.duckdb", "SELECT", "1"}, `query takes the statement as one argument, but was given 2: quote it`},
		{[]string{"sql", "render"}, `sql render needs a template NAME (synctrack sql list lists them)`},
		{[]string{"sql", "render", "a", "b"}, `sql render takes one template NAME, not 2`},
	} {
		if code, out, errs := runCLIAll(t, c.args...); code != 2 || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stdout %.80q, stderr %q; want 2 saying %q", strings.Join(c.args, " "), code, out, errs, c.want)
		}
	}
}

// An unknown config key is named with the key it was likely meant to be:
// the flag's own spelling (batch-files), a typo (warehuose). The error
// named the key only; with two wrong keys, either one, by map order.
func TestConfigUnknownKeyHint(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ body, want string }{
		{"warehouse: duckdb://./w.duckdb\nbatch-files: 10\n", `unknown key "batch-files" (did you mean batch_files? a key is the flag's name with _ for -)`},
		{"warehuose: duckdb://./w.duckdb\n", `unknown key "warehuose" (did you mean warehouse?)`},
		{"Warehouse: duckdb://./w.duckdb\n", `unknown key "Warehouse" (did you mean warehouse?`},
		{"zzz: 1\nwarehuose: x\n", `unknown key "warehuose"`},
		{"frobnicate: 1\n", `unknown key "frobnicate" (a key is a flag's name with _ for -`},
	} {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, errs := runCLIAll(t, "status", "--config", p); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("config %q: exit %d, %q; want 2 saying %q", c.body, code, errs, c.want)
		}
	}
}

// An unknown flag is named with the command's flag it likely meant, and
// where the command's flags are listed: pflag's "unknown flag: --warehose"
// said nothing more, and another command's flag (plan --dry-run) read the
// same.
func TestUnknownFlagHint(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"load", "--warehose", "x"}, `unknown flag: --warehose (did you mean --warehouse? synctrack load --help lists the flags)`},
		{[]string{"plan", "--dry-run"}, `unknown flag: --dry-run (synctrack plan --help lists the flags)`},
		{[]string{"status", "--log-levl", "debug"}, `(did you mean --log-level? synctrack status --help lists the flags)`},
		{[]string{"load", "-x"}, `unknown shorthand flag: 'x' in -x (synctrack load --help lists the flags)`},
	} {
		if code, out, errs := runCLIAll(t, c.args...); code != 2 || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stdout %.80q, stderr %q; want 2 saying %q", strings.Join(c.args, " "), code, out, errs, c.want)
		}
	}
}

// A path starting with ~ that no shell expanded (a config file's out:
// ~/bucket, a quoted word, a URL) is refused saying so: generate and dbt
// made a folder named ~ in the working directory, and a DuckDB URL's "no
// folder ~" said to create it.
func TestLiteralTildeRefused(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	wh := "duckdb://" + filepath.Join(dir, "w.duckdb")
	if code, out := runCLI(t, "load", "--bucket", "file://"+dir, "--warehouse", wh); code != 0 {
		t.Fatalf("load of an empty folder: %d %s", code, out)
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"generate", "--out", "~/bucket"}, "--out ~/bucket: ~ is not expanded here"},
		{[]string{"dbt", "--warehouse", wh, "--out", "~/models"}, "--out ~/models: ~ is not expanded here"},
		{[]string{"load", "--bucket", "file://" + dir, "--warehouse", "duckdb://~/w.duckdb"}, "a URL does not expand ~"},
	} {
		if code, _, errs := runCLIAll(t, c.args...); code != 2 || !strings.Contains(errs, c.says) {
			t.Errorf("%s: exit %d, %q; want 2 saying %q", strings.Join(c.args, " "), code, errs, c.says)
		}
		if _, err := os.Stat(filepath.Join(dir, "~")); err == nil {
			t.Fatalf("%s made a folder named ~", strings.Join(c.args, " "))
		}
	}
	// A folder named ~ made on purpose is written into.
	if err := os.Mkdir("~", 0o755); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCLIAll(t, "generate", "--out", "~/bucket", "--orgs", "1", "--syncs", "1", "--runs", "1", "--files", "1", "--rows", "1"); code != 0 {
		t.Errorf("generate into ./~ that is there: exit %d %s%s", code, out, errs)
	}
}

// A config file that is no mapping of keys (a line without its colon, as an
// env file writes warehouse=URL; a list) says what it wants and which line:
// yaml said "cannot unmarshal !!str `warehou...` into map[string]interface {}".
func TestConfigNotKeysSaid(t *testing.T) {
	dir := t.TempDir()
	for body, want := range map[string]string{
		"warehouse=duckdb://./w.duckdb\n":   `line 1: want one key: value a line (such as warehouse: duckdb://./sync-logs.duckdb), not the text "warehouse=duckdb://./w.duckdb"`,
		"\nwarehouse duckdb://./w.duckdb\n": `line 2: want one key: value a line`,
		"- bucket: file:///b\n":             `line 1: want one key: value a line (such as warehouse: duckdb://./sync-logs.duckdb), not a list`,
	} {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, errs := runCLIAll(t, "status", "--config", p); code != 2 || !strings.Contains(errs, want) || strings.Contains(errs, "map[string]") {
			t.Errorf("config %q: exit %d, %q; want 2 saying %q", body, code, errs, want)
		}
	}
}

// load --dry-run refuses what the load itself refuses, with its message
// and exit code: it printed what would load and exited 0 for a --mode that
// is none, a negative --retention, --mode external or --setup on an engine
// without them, and a DuckDB file whose folder is missing; it exited 3
// ("stat ...: not a directory") for one under a file; and it named
// --setup's engine where the load named a missing bucket folder first.
func TestDryRunRefusesWhatLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "o.txt")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	wh := "duckdb://" + filepath.Join(dir, "w.duckdb")
	base := []string{"load", "--bucket", "file://" + dir, "--warehouse", wh}
	for _, c := range []struct {
		extra []string
		says  string
	}{
		{[]string{"--mode", "extrnal"}, `--mode "extrnal": want loaded or external`},
		{[]string{"--retention", "-1"}, "--retention -1: want a number of days"},
		{[]string{"--mode", "external"}, "--mode external registers files as external tables, which duckdb cannot"},
		{[]string{"--setup"}, "--setup creates the warehouse's stage over the bucket, which duckdb has none of"},
		{[]string{"--warehouse", "snowflake://u@acct/db/sch?warehouse=w"}, "Snowflake reads the bucket itself, through an external stage, and cannot read a file:// bucket"},
		{[]string{"--warehouse", "duckdb://" + filepath.Join(dir, "nodir", "w.duckdb")}, "no folder " + filepath.Join(dir, "nodir")},
		{[]string{"--warehouse", "duckdb://" + filepath.Join(file, "w.duckdb")}, file + " is a file, not a folder"},
		{[]string{"--bucket", "file://" + filepath.Join(dir, "nope"), "--setup"}, "no folder " + filepath.Join(dir, "nope")},
	} {
		args := append(slices.Clone(base), c.extra...)
		loadCode, _, loadErrs := runCLIAll(t, args...)
		code, _, errs := runCLIAll(t, append(args, "--dry-run")...)
		if code != 2 || !strings.Contains(errs, c.says) {
			t.Errorf("%s --dry-run: exit %d, %q; want 2 saying %q", strings.Join(c.extra, " "), code, errs, c.says)
		}
		if code != loadCode || errs != loadErrs {
			t.Errorf("%s: load exit %d %q, --dry-run exit %d %q; want the same", strings.Join(c.extra, " "), loadCode, loadErrs, code, errs)
		}
	}
	if code, out, errs := runCLIAll(t, append(base, "--dry-run")...); code != 0 || !strings.Contains(out, "would load") {
		t.Errorf("load --dry-run: exit %d %s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "w.duckdb")); !os.IsNotExist(err) {
		t.Errorf("a refused load or a dry run made the warehouse file: %v", err)
	}
}

// SQL that opens with a -- comment, given as query's argument, is read by
// pflag as a flag: the error said "unknown flag: -- rejected rows" and the
// whole statement after it. It now says why and the two ways around it, and
// the first of them works.
func TestQueryOpeningWithCommentSaid(t *testing.T) {
	dir := t.TempDir()
	wh := "duckdb://" + filepath.Join(dir, "w.duckdb")
	if code, out := runCLI(t, "load", "--bucket", "file://"+dir, "--warehouse", wh); code != 0 {
		t.Fatalf("load of an empty folder: %d %s", code, out)
	}
	stmt := "-- rejected rows\nSELECT 42 AS answer"
	code, _, errs := runCLIAll(t, "query", "--warehouse", wh, stmt)
	want := `query: "-- rejected rows" starts with --, so it was read as a flag: put -- before it`
	if code != 2 || !strings.Contains(errs, want) || !strings.Contains(errs, "-f FILE") || strings.Contains(errs, "SELECT") {
		t.Errorf("query of SQL opening with a comment: exit %d, %q; want 2 saying %q", code, errs, want)
	}
	if code, out, errs := runCLIAll(t, "query", "--warehouse", wh, "--", stmt); code != 0 || !strings.Contains(out, "42") {
		t.Errorf("query -- SQL: exit %d %s%s", code, out, errs)
	}
}

// An address another process listens on is the user's to fix, for run as
// for serve: exit 2 naming it. run exited 3, "try again later".
func TestListenInUseIsConfig(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	wh := "duckdb://" + filepath.Join(dir, "w.duckdb")
	if code, out := runCLI(t, "load", "--bucket", "file://"+dir, "--warehouse", wh); code != 0 {
		t.Fatalf("load of an empty folder: %d %s", code, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, args := range [][]string{
		{"run", "--bucket", "file://" + dir, "--warehouse", wh, "--listen", ln.Addr().String()},
		{"serve", "--warehouse", wh, "--listen", ln.Addr().String()},
	} {
		code, _, errs := runCLICtx(t, ctx, args...)
		t.Logf("%s: exit %d, %q", args[0], code, errs)
		if code != 2 || !strings.Contains(errs, "listen "+ln.Addr().String()) || !strings.Contains(errs, "choose another --listen") {
			t.Errorf("%s on a port in use: exit %d, %q; want 2 naming it", args[0], code, errs)
		}
	}
}

// help with a topic that names no command exits 2 saying so: cobra printed
// "Unknown help topic" and the usage, and exited 0, as completion tcsh did.
func TestHelpUnknownTopicRefused(t *testing.T) {
	for _, args := range [][]string{{"help", "lod"}, {"help", "sql", "nope"}} {
		if code, out, errs := runCLIAll(t, args...); code != 2 || out != "" || !strings.Contains(errs, "no help topic") {
			t.Errorf("%s: exit %d, stdout %.80q, stderr %q; want 2 saying no help topic", strings.Join(args, " "), code, out, errs)
		}
	}
	for _, args := range [][]string{{"help"}, {"help", "load"}, {"help", "sql", "render"}} {
		if code, out, errs := runCLIAll(t, args...); code != 0 || out == "" {
			t.Errorf("%s: exit %d, %d bytes out: %s", strings.Join(args, " "), code, len(out), errs)
		}
	}
}

// plan refuses a DuckDB file that a load could not make where its URL puts
// it, as load does, with load's message and exit 2: under a regular file
// it exited 3 with stat's "not a directory", and with no folder it said
// what would load. The commands that read the file, and demo, say of a
// path under a file what load says (stat's words were exit 3), demo
// before it generates a bucket.
func TestCommandsRefuseTheWarehousePlaceLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "o.txt")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	underFile := "duckdb://" + filepath.Join(file, "w.duckdb")
	for _, wh := range []string{underFile, "duckdb://" + filepath.Join(dir, "nodir", "w.duckdb")} {
		args := []string{"--bucket", "file://" + dir, "--warehouse", wh}
		loadCode, _, loadErrs := runCLIAll(t, append([]string{"load"}, args...)...)
		code, out, errs := runCLIAll(t, append([]string{"plan"}, args...)...)
		if loadCode != 2 || code != loadCode || errs != loadErrs {
			t.Errorf("%s: load exit %d %q, plan exit %d %q %q; want the same, 2", wh, loadCode, loadErrs, code, errs, out)
		}
	}
	says := file + " is a file, not a folder"
	for _, args := range [][]string{
		{"status"}, {"report", "run_summary"}, {"records"}, {"query", "SELECT 1"}, {"views"}, {"retry", "--all"},
		{"dbt", "--out", filepath.Join(dir, "dbt")}, {"serve", "--listen", "127.0.0.1:0"}, {"demo"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		code, out, errs := runCLICtx(t, ctx, append(args, "--warehouse", underFile)...)
		cancel()
		if code != 2 || !strings.Contains(errs, says) || out != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2 saying %q, and nothing done", args[0], code, out, errs, says)
		}
	}
}
