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
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, r)
		done <- b.String()
	}()
	code := run(context.Background(), args)
	w.Close()
	os.Stdout = old
	return code, <-done
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	bucket := filepath.Join(dir, "bucket")
	wh := "duckdb://" + filepath.Join(dir, "w.duckdb")
	if code, out := runCLI(t, "generate", "--out", bucket, "--syncs", "1", "--runs", "2", "--rows", "20"); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, out)
	}
	for _, c := range []struct {
		name string
		args []string
		want int
	}{
		{"unknown flag", []string{"load", "--nope"}, 2},
		{"no bucket", []string{"load", "--warehouse", wh}, 2},
		{"bucket folder missing", []string{"load", "--bucket", "file://" + filepath.Join(dir, "nope"), "--warehouse", wh}, 2},
		{"bad mode", []string{"load", "--bucket", "file://" + bucket, "--warehouse", wh, "--mode", "x"}, 2},
		{"unknown warehouse", []string{"load", "--bucket", "file://" + bucket, "--warehouse", "oracle://x"}, 2},
		{"status before any load", []string{"status", "--warehouse", wh}, 2},
		{"plan before any load", []string{"plan", "--bucket", "file://" + bucket, "--warehouse", wh}, 0},
		{"load", []string{"load", "--bucket", "file://" + bucket, "--warehouse", wh}, 0},
		{"load again", []string{"load", "--bucket", "file://" + bucket, "--warehouse", wh}, 0},
		{"status", []string{"status", "--warehouse", wh}, 0},
	} {
		if code, out := runCLI(t, c.args...); code != c.want {
			t.Errorf("%s: exit %d, want %d; stdout: %s", c.name, code, c.want, out)
		}
	}
	// A corrupt file: exit 1, and the rest is loaded.
	runs, _ := filepath.Glob(filepath.Join(bucket, "sync_tracking_datasets", "*", "*", "*"))
	if err := os.WriteFile(filepath.Join(runs[0], "records_updated.77.parquet"), []byte("PAR1 not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Just written to a local folder, it may still be in progress: pending, exit 0.
	code, out := runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh)
	if code != 0 || !strings.Contains(out, "left for the next load") {
		t.Fatalf("fresh corrupt file: exit %d, want 0 and pending; stdout: %s", code, out)
	}
	code, out = runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh, "--settle", "0")
	if code != 1 || !strings.Contains(out, "records_updated.77.parquet") {
		t.Fatalf("corrupt file: exit %d, want 1, naming the file; stdout: %s", code, out)
	}
	_, out = runCLI(t, "status", "--warehouse", wh)
	if !strings.Contains(out, "records_updated.77.parquet") || !strings.Contains(out, "records loaded") {
		t.Fatalf("status does not show the failure and the loads: %s", out)
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
