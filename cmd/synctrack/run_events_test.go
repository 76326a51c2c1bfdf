package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --events takes a subscription URL of a driver the binary links, per target
// from the config file or for a single target from the flag; anything else
// is bad usage (exit 2) before anything connects.
func TestRunEventsFlags(t *testing.T) {
	const sqs = "awssqs://sqs.us-east-1.amazonaws.com/123456789012/sync-logs?region=us-east-1"
	code, out := runCLI(t, "run", "--bucket", "file:///tmp/b", "--warehouse", "duckdb://./w.duckdb",
		"--events", sqs, "--reconcile-schedule", "@every 6h", "--check")
	if code != 0 || !strings.Contains(out, "events "+sqs+", reconcile @every 6h") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, bad := range [][]string{
		{"--events", "https://sqs.us-east-1.amazonaws.com/1/q"},
		{"--events", "kafka://broker/topic"},
		{"--events", "mem://t", "--reconcile-schedule", "every day"},
	} {
		args := append([]string{"run", "--bucket", "file:///tmp/b", "--warehouse", "duckdb://./w.duckdb", "--check"}, bad...)
		if code, out := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2:\n%s", bad, code, out)
		}
	}
	cfg := filepath.Join(t.TempDir(), "two.yaml")
	if err := os.WriteFile(cfg, []byte(`targets:
  - {name: a, bucket: "s3://a?region=us-east-1", warehouse: "duckdb://./a.duckdb", events: "`+sqs+`"}
  - {name: b, bucket: "gs://b", warehouse: "duckdb://./b.duckdb", events: "gcppubsub://projects/p/subscriptions/s", reconcile_schedule: "@every 12h"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out = runCLI(t, "run", "--config", cfg, "--check")
	if code != 0 || !strings.Contains(out, "target a: events "+sqs+", reconcile @daily") ||
		!strings.Contains(out, "target b: events gcppubsub://projects/p/subscriptions/s, reconcile @every 12h") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if code, out := runCLI(t, "run", "--config", cfg, "--events", sqs, "--check"); code != 2 {
		t.Fatalf("--events with two targets: exit %d, want 2:\n%s", code, out)
	}
}
