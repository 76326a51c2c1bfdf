package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// run --check refuses each setup the start refuses, with the start's exit
// code and message: it used to pass a file:// bucket that is not there and
// a DuckDB file under a regular file, which the start (or every cycle)
// refused. Both run one preflight; this keeps them from drifting apart.
func TestRunCheckExitsAsTheStart(t *testing.T) {
	dir := t.TempDir()
	bucket := filepath.Join(dir, "bucket")
	os.MkdirAll(bucket, 0o755)
	file := filepath.Join(dir, "o.txt")
	os.WriteFile(file, []byte("x"), 0o644)
	wh := "duckdb://" + filepath.Join(dir, "w.duckdb")
	blank := filepath.Join(dir, "blank")
	os.WriteFile(blank, []byte(" \n"), 0o644)
	config := func(name, yaml string) string {
		p := filepath.Join(dir, name+".yaml")
		os.WriteFile(p, []byte(yaml), 0o644)
		return p
	}
	// A link loop and a name too long are the URL's too: before, a
	// transient bucket error, exit 3, "the next load tries again".
	loop := filepath.Join(dir, "loop")
	os.Symlink(loop, loop)
	long := filepath.Join(dir, strings.Repeat("a", 300))
	target := func(b, w string) string { return "  - {bucket: 'file://" + b + "', warehouse: '" + w + "'}\n" }
	// Nothing from the environment turns a case's refusal off.
	for _, k := range []string{"SYNCTRACK_WEB_TOKEN", "SYNCTRACK_WEBHOOK_SECRET", "STORAGE_EMULATOR_HOST", "STORAGE_EMULATOR_HOST_GRPC"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(dir, "no-key.json"))
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no bucket folder", []string{"--bucket", "file://" + filepath.Join(dir, "nosuch"), "--warehouse", wh}, "no folder " + filepath.Join(dir, "nosuch")},
		{"bucket is a file", []string{"--bucket", "file://" + file, "--warehouse", wh}, file + " is a file, not a folder"},
		{"bucket under a file", []string{"--bucket", "file://" + filepath.Join(file, "b"), "--warehouse", wh}, filepath.Join(file, "b") + " is under a file, not a folder"},
		{"bucket through a link loop", []string{"--bucket", "file://" + loop, "--warehouse", wh}, loop + " cannot be reached: too many levels of symbolic links"},
		{"bucket name too long", []string{"--bucket", "file://" + long, "--warehouse", wh}, "cannot be reached: file name too long"},
		{"file URL with a host", []string{"--bucket", "file://host" + bucket, "--warehouse", wh}, "needs an absolute path"},
		{"s3 without a bucket name", []string{"--bucket", "s3:///?region=us-east-1", "--warehouse", wh}, "no bucket name"},
		{"gs without credentials", []string{"--bucket", "gs://acme-sync-logs", "--warehouse", wh}, "no Google credentials"},
		{"warehouse under a file", []string{"--bucket", "file://" + bucket, "--warehouse", "duckdb://" + filepath.Join(file, "x.duckdb")}, file + " is a file, not a folder"},
		{"warehouse deeper under a file", []string{"--bucket", "file://" + bucket, "--warehouse", "duckdb://" + filepath.Join(file, "a", "x.duckdb")}, file + " is a file, not a folder"},
		{"no warehouse folder", []string{"--bucket", "file://" + bucket, "--warehouse", "duckdb://" + filepath.Join(dir, "nodir", "x.duckdb")}, "no folder " + filepath.Join(dir, "nodir")},
		{"bad warehouse URL", []string{"--bucket", "file://" + bucket, "--warehouse", "duckdb://" + filepath.Join(dir, "w.duckdb") + "?threads=many"}, "threads"},
		{"bad listen", []string{"--bucket", "file://" + bucket, "--warehouse", wh, "--listen", "nonsense"}, "--listen"},
		{"web beyond loopback without a secret", []string{"--bucket", "file://" + bucket, "--warehouse", wh, "--web", "--listen", "0.0.0.0:0"}, "--web"},
		{"blank webhook secret", []string{"--bucket", "file://" + bucket, "--warehouse", wh, "--webhook-secret", " "}, "empty or blank"},
		{"blank webhook secret file", []string{"--bucket", "file://" + bucket, "--warehouse", wh, "--webhook-secret-file", blank}, "empty or blank"},
		{"no config file", []string{"--config", filepath.Join(dir, "nosuch.yaml")}, "config:"},
		{"second target's bucket missing", []string{"--config", config("two-buckets", "targets:\n"+
			target(bucket, wh)+target(filepath.Join(dir, "gone"), "duckdb://"+filepath.Join(dir, "v.duckdb")))}, "no folder " + filepath.Join(dir, "gone")},
		{"second target's warehouse under a file", []string{"--config", config("two-warehouses", "targets:\n"+
			target(bucket, wh)+target(bucket, "duckdb://"+filepath.Join(file, "v.duckdb")))}, "is a file, not a folder"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"run", "--listen", "127.0.0.1:0"}, c.args...)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			startCode, _, startErr := runCLICtx(t, ctx, args...)
			checkCode, _, checkErr := runCLICtx(t, ctx, append(args, "--check")...)
			if startCode != 2 || !strings.Contains(startErr, c.want) {
				t.Fatalf("start: exit %d, %q; want 2 and %q", startCode, startErr, c.want)
			}
			if checkCode != startCode || checkErr != startErr {
				t.Errorf("--check: exit %d, %q; the start: exit %d, %q", checkCode, checkErr, startCode, startErr)
			}
		})
	}
}
