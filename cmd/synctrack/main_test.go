package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs one command line in-process and returns its exit code and stdout.
func runCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	code, stdout, _ := runCLIAll(t, args...)
	return code, stdout
}

// runCLIAll runs one command line in-process and returns its exit code,
// stdout and stderr (the logs and the error message).
func runCLIAll(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLICtx(t, context.Background(), args...)
}

// runCLICtx is runCLIAll under ctx: a command that should have refused to
// start ends when ctx does, instead of running on.
func runCLICtx(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	capture := func(f **os.File) (restore func() string) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		old := *f
		*f = w
		done := make(chan string)
		go func() {
			var b bytes.Buffer
			io.Copy(&b, r)
			done <- b.String()
		}()
		return func() string {
			w.Close()
			*f = old
			return <-done
		}
	}
	out, errs := capture(&os.Stdout), capture(&os.Stderr)
	code = run(ctx, args)
	return code, out(), errs()
}

// exitCase is one command line and the exit code it must end with.
type exitCase struct {
	name  string
	args  []string
	setup func(t *testing.T, f *exitFixture) []string // the args, when they need a setup
	want  int
	says  string                                                    // words stderr must have
	check func(t *testing.T, f *exitFixture, stdout, stderr string) // more to check after
}

// The exit codes, as the root help and the README give them: 0 everything
// loaded; 1 some objects failed, each named; 2 bad usage or config; 3 the
// warehouse or the environment unavailable. Cases run in order, on one bucket
// and warehouse unless their setup makes their own.
func TestExitCodes(t *testing.T) {
	f := newExitFixture(t)
	bucket, wh := "file://"+f.bucket, f.wh
	load := func(extra ...string) []string {
		return append([]string{"load", "--bucket", bucket, "--warehouse", wh}, extra...)
	}
	for _, c := range []exitCase{
		{name: "unknown flag", args: []string{"load", "--nope"}, want: 2, says: "unknown flag"},
		{name: "no bucket", args: []string{"load", "--warehouse", wh}, want: 2, says: "no bucket"},
		{name: "bad bucket URL", args: []string{"load", "--bucket", "::nope", "--warehouse", wh}, want: 2, says: "want a URL"},
		{name: "bucket folder missing", args: []string{"load", "--bucket", "file://" + filepath.Join(f.dir, "nope"), "--warehouse", wh},
			want: 2, says: "no folder " + filepath.Join(f.dir, "nope") + " (a file:// bucket is the folder holding sync_tracking_datasets/; on a mount, mount it first)"},
		{name: "bad mode", args: load("--mode", "x"), want: 2, says: "want loaded or external"},
		{name: "unknown warehouse", args: []string{"load", "--bucket", bucket, "--warehouse", "oracle://x"}, want: 2, says: "no engine for oracle://"},
		{name: "bad warehouse URL", args: []string{"load", "--bucket", bucket, "--warehouse", "duckdb://"}, want: 2, says: "no database file named"},
		{name: "unknown warehouse parameter", args: []string{"load", "--bucket", bucket, "--warehouse", "duckdb://./x.duckdb?bogus=1"},
			want: 2, says: `unknown parameter "bogus" (known: schema, memory_limit, threads)`},
		{name: "; between warehouse parameters", args: []string{"load", "--bucket", bucket, "--warehouse", "duckdb://./x.duckdb?threads=2;foo=bar"},
			want: 2, says: `parameter "threads": a ; does not separate parameters`},
		{name: "password in a Snowflake URL", args: []string{"load", "--bucket", bucket, "--warehouse", "snowflake://me:hunter2@acct/db/sch?warehouse=wh"},
			want: 2, says: "no password in the URL", check: notSaying("hunter2")},
		{name: "--setup on DuckDB", args: load("--setup"), want: 2, says: "--setup creates the warehouse's stage"},
		// Engines that read the bucket themselves refuse one they cannot
		// read, before anything is listed: a local folder, this process's memory.
		{name: "Snowflake given a local folder", args: []string{"load", "--bucket", bucket, "--warehouse", "snowflake://me@acct/db/sch?warehouse=wh"},
			want: 2, says: "Snowflake reads the bucket itself, through an external stage, and cannot read a file:// bucket", check: oneMessage},
		{name: "plan on Snowflake given memory", args: []string{"plan", "--bucket", "mem://", "--warehouse", "snowflake://me@acct/db/sch?warehouse=wh"},
			want: 2, says: "cannot read a mem:// bucket"},
		{name: "run on Snowflake given a local folder", args: []string{"run", "--check", "--bucket", bucket, "--warehouse", "snowflake://me@acct/db/sch?warehouse=wh"},
			want: 2, says: "cannot read a file:// bucket"},
		{name: "BigQuery external mode on a local folder", args: []string{"load", "--bucket", bucket, "--warehouse", "bigquery://p/d", "--mode", "external"},
			want: 2, says: "BigQuery's external mode has BigQuery read the bucket itself, and it cannot read a file:// bucket", check: oneMessage},
		{name: "--mode external on DuckDB", args: load("--mode", "external"), want: 2, says: "use --mode loaded"},
		{name: "warehouse directory not writable", setup: unwritableWarehouse, want: 2, says: "writable"},
		{name: "status before any load", args: []string{"status", "--warehouse", wh}, want: 2, says: "run synctrack load first"},
		{name: "plan before any load", args: []string{"plan", "--bucket", bucket, "--warehouse", wh}, want: 0},
		{name: "bucket endpoint refusing connections", setup: refusedEndpoint, want: 3, says: "connection refused", check: oneMessage},
		{name: "load", args: load(), want: 0},
		{name: "load again", args: load(), want: 0},
		{name: "status", args: []string{"status", "--warehouse", wh}, want: 0},
		{name: "warehouse locked by another process", setup: lockHeld, want: 3, says: "Could not set lock on file", check: lockChecks},
		{name: "disk full", setup: diskFull, want: 3, says: "free disk space", check: diskFullChecks},
		// Just written to a local folder, a corrupt file may still be in
		// progress: pending, exit 0. With no settling time it fails: exit 1.
		{name: "fresh corrupt file", setup: corruptFile, want: 0, check: saysOnStdout("left for the next load")},
		{name: "corrupt file", args: load("--settle", "0"), want: 1, check: saysOnStdout("FAILED sync_tracking_datasets/", "records_updated.77.parquet", "the next load tries the failed object again")},
		{name: "status names the failure", args: []string{"status", "--warehouse", wh}, want: 0,
			check: saysOnStdout("records_updated.77.parquet", "records loaded")},
		// -1 lists every failure, as the help says now; other negatives
		// mean nothing; 0 lists none, as the help says.
		{name: "status --errors -1", args: []string{"status", "--warehouse", wh, "--errors", "-1"}, want: 0,
			check: saysOnStdout("1 failed object (failed:", "records_updated.77.parquet")},
		{name: "status --errors -2", args: []string{"status", "--warehouse", wh, "--errors", "-2"}, want: 2,
			says: "--errors -2: want 0 or more, or -1 for all"},
		{name: "status --errors 0", args: []string{"status", "--warehouse", wh, "--errors", "0"}, want: 0,
			check: saysOnStdout("1 failed object (failed:", "... and 1 more")},
	} {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			args := c.args
			if c.setup != nil {
				args = c.setup(t, f)
			}
			code, stdout, stderr := runCLIAll(t, args...)
			if code != c.want {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.want, stdout, stderr)
			}
			if !strings.Contains(stderr, c.says) {
				t.Fatalf("stderr does not say %q: %s", c.says, stderr)
			}
			if c.check != nil {
				c.check(t, f, stdout, stderr)
			}
			if i := strings.Index(stderr, "synctrack: "); i >= 0 {
				t.Logf("exit %d: %s", code, strings.SplitN(stderr[i:], "\n", 2)[0])
			}
		})
	}
}

// A flag beats SYNCTRACK_*, which beats the config file.
func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	bucket := filepath.Join(dir, "bucket")
	if code, _ := runCLI(t, "generate", "--out", bucket, "--syncs", "1", "--runs", "1", "--rows", "5"); code != 0 {
		t.Fatal("generate failed")
	}
	cfg := filepath.Join(dir, "synctrack.yaml")
	fromFile := filepath.Join(dir, "file.duckdb")
	os.WriteFile(cfg, []byte("bucket: file://"+bucket+"\nwarehouse: duckdb://"+fromFile+"\n"), 0o644)

	if code, out := runCLI(t, "load", "--config", cfg); code != 0 {
		t.Fatalf("load from config: exit %d: %s", code, out)
	}
	if _, err := os.Stat(fromFile); err != nil {
		t.Fatalf("config file's warehouse not used: %v", err)
	}
	fromEnv := filepath.Join(dir, "env.duckdb")
	t.Setenv("SYNCTRACK_WAREHOUSE", "duckdb://"+fromEnv)
	if code, _ := runCLI(t, "load", "--config", cfg); code != 0 {
		t.Fatal("load with env failed")
	}
	if _, err := os.Stat(fromEnv); err != nil {
		t.Fatalf("env warehouse not used over the file: %v", err)
	}
	fromFlag := filepath.Join(dir, "flag.duckdb")
	if code, _ := runCLI(t, "load", "--config", cfg, "--warehouse", "duckdb://"+fromFlag); code != 0 {
		t.Fatal("load with flag failed")
	}
	if _, err := os.Stat(fromFlag); err != nil {
		t.Fatalf("flag warehouse not used over env: %v", err)
	}
	os.WriteFile(cfg, []byte("bucket: file://"+bucket+"\nwarehous: typo\n"), 0o644)
	if code, _ := runCLI(t, "load", "--config", cfg); code != 2 {
		t.Fatalf("unknown config key: exit %d, want 2", code)
	}
}
