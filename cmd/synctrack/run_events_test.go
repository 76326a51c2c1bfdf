package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// --events takes a subscription URL of a driver the binary links, per target
// from the config file or for a single target from the flag; anything else
// is bad usage (exit 2) before anything connects.
func TestRunEventsFlags(t *testing.T) {
	bucket := "file://" + t.TempDir()
	const sqs = "awssqs://sqs.us-east-1.amazonaws.com/123456789012/sync-logs?region=us-east-1"
	code, out := runCLI(t, "run", "--bucket", bucket, "--warehouse", "duckdb://./w.duckdb",
		"--events", sqs, "--reconcile-schedule", "@every 6h", "--check")
	if code != 0 || !strings.Contains(out, "events "+sqs+", reconcile @every 6h") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, bad := range [][]string{
		{"--events", "https://sqs.us-east-1.amazonaws.com/1/q"},
		{"--events", "kafka://broker/topic"},
		{"--events", "mem://t", "--reconcile-schedule", "every day"},
	} {
		args := append([]string{"run", "--bucket", bucket, "--warehouse", "duckdb://./w.duckdb", "--check"}, bad...)
		if code, out := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2:\n%s", bad, code, out)
		}
	}
	cfg := filepath.Join(t.TempDir(), "two.yaml")
	if err := os.WriteFile(cfg, []byte(`targets:
  - {name: a, bucket: "s3://a?region=us-east-1", warehouse: "duckdb://./a.duckdb", events: "`+sqs+`"}
  - {name: b, bucket: "gs://b?anonymous=true", warehouse: "duckdb://./b.duckdb", events: "gcppubsub://projects/p/subscriptions/s", reconcile_schedule: "@every 12h"}
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

// An events URL the binary cannot open is bad usage, at start as with
// --check (exit 2, not 3 from a failed start), and the message names where
// it came from and the URLs synctrack takes. mem:// is gocloud.dev's
// in-process driver: no topic can exist in a synctrack process.
func TestRunEventsURLRefused(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_PROFILE", "")
	bucket := t.TempDir()
	for _, c := range []struct{ events, want string }{
		{"mem://x", "awssqs://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE or gcppubsub://projects/PROJECT/subscriptions/SUB"},
		{"kafka://broker/topic", "awssqs://"},
		{"gcppubsub://sub-without-project", "gcppubsub://projects/PROJECT/subscriptions/SUB"},
		{"gcppubsub://projects/p/subscriptions/s?max_recv_batch_size=0", "max_recv_batch_size"},
		{"awssqs://sqs.us-east-1.amazonaws.com/123456789012/q?regoin=us-east-1", `unknown query parameter "regoin"`},
		{"awssqs://sqs.us-east-1.amazonaws.com/123456789012/q?waittime=soon", "waittime"},
		// A host that names no region, no region= and none in the
		// environment: the start could not resolve the queue's endpoint.
		{"awssqs://localhost:9324/000000000000/q", "region="},
	} {
		for _, check := range []bool{true, false} {
			args := []string{"run", "--bucket", "file://" + bucket, "--warehouse", "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb"),
				"--listen", "", "--events", c.events}
			if check {
				args = append(args, "--check")
			}
			// A daemon that starts runs until stopped: the watchdog turns
			// that into exit 0, and a failure here, not a hang.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			code, _, stderr := runCLICtx(t, ctx, args...)
			cancel()
			if code != 2 || !strings.Contains(stderr, `--events "`+c.events+`"`) || !strings.Contains(stderr, c.want) {
				t.Errorf("%s (check %v): exit %d, want 2 naming --events and %q:\n%s", c.events, check, code, c.want, stderr)
			}
		}
	}
	cfg := filepath.Join(t.TempDir(), "mem.yaml")
	if err := os.WriteFile(cfg, []byte(`targets:
  - {name: a, bucket: "file://`+bucket+`", warehouse: "duckdb://./a.duckdb", events: "mem://t"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLIAll(t, "run", "--config", cfg, "--check"); code != 2 || !strings.Contains(stderr, `target a: events "mem://t"`) {
		t.Errorf("events: mem://t in the config file: exit %d, want 2 naming the target's events key:\n%s", code, stderr)
	}
}

// region= is needed only where nothing else names the queue's region: the
// host sqs.REGION.amazonaws.com does (as the README's URLs are written), and
// so does AWS_REGION. What --check passes, the start opens.
func TestRunEventsRegion(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_PROFILE", "")
	base := []string{"run", "--bucket", "file://" + t.TempDir(), "--warehouse", "duckdb://./w.duckdb", "--check", "--events"}
	if code, out, stderr := runCLIAll(t, append(base, "awssqs://sqs.eu-west-1.amazonaws.com/123456789012/q")...); code != 0 {
		t.Errorf("a host naming its region: exit %d\n%s%s", code, out, stderr)
	}
	t.Setenv("AWS_REGION", "eu-west-1")
	if code, out, stderr := runCLIAll(t, append(base, "awssqs://localhost:9324/000000000000/q")...); code != 0 {
		t.Errorf("AWS_REGION set: exit %d\n%s%s", code, out, stderr)
	}
}

// An events-only flag without events is bad usage, at start as with --check,
// naming the flag: before, --reconcile-schedule and --events-debounce were
// taken and did nothing, as --web-target without --web is refused.
func TestRunEventsOnlyFlagsNeedEvents(t *testing.T) {
	dir := t.TempDir()
	base := []string{"run", "--bucket", "file://" + dir, "--warehouse", "duckdb://" + filepath.Join(dir, "w.duckdb"), "--listen", ""}
	flat := filepath.Join(dir, "flat.yaml")
	target := filepath.Join(dir, "target.yaml")
	os.WriteFile(flat, []byte("events_debounce: 1s\n"), 0o644)
	os.WriteFile(target, []byte("targets:\n  - {bucket: 'file://"+dir+"', warehouse: 'duckdb://"+filepath.Join(dir, "w.duckdb")+"', reconcile_schedule: '@every 6h'}\n"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"--reconcile-schedule", append(base[1:], "--reconcile-schedule", "@every 6h"), "", "--reconcile-schedule (config key reconcile_schedule) needs --events"},
		{"--events-debounce", append(base[1:], "--events-debounce", "1s"), "", "--events-debounce (config key events_debounce) needs --events"},
		{"SYNCTRACK_RECONCILE_SCHEDULE", base[1:], "@every 6h", "--reconcile-schedule (config key reconcile_schedule) needs --events"},
		{"config key", append(base[1:], "--config", flat), "", "--events-debounce (config key events_debounce) needs --events"},
		{"target key", []string{"--config", target, "--listen", ""}, "", "target default: reconcile_schedule needs events"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv("SYNCTRACK_RECONCILE_SCHEDULE", c.env)
			}
			for _, check := range []bool{true, false} {
				args := append([]string{"run"}, c.args...)
				if check {
					args = append(args, "--check")
				}
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				code, _, stderr := runCLICtx(t, ctx, args...)
				cancel()
				if code != 2 || !strings.Contains(stderr, c.want) {
					t.Errorf("check %v: exit %d, want 2 and %q:\n%s", check, code, c.want, stderr)
				}
			}
		})
	}
}

// --check prints the events URL as the start log does, its secrets xxxxx:
// it printed the URL as given, a password in an endpoint= with it.
func TestRunCheckEventsURLRedacted(t *testing.T) {
	dir := t.TempDir()
	code, out := runCLI(t, "run", "--bucket", "file://"+dir, "--warehouse", "duckdb://"+filepath.Join(dir, "w.duckdb"), "--listen", "", "--check",
		"--events", "awssqs://sqs.us-east-1.amazonaws.com/1/q?region=us-east-1&endpoint=http://u:s3cr3t@localhost:9324")
	if code != 0 || strings.Contains(out, "s3cr3t") ||
		!strings.Contains(out, "events awssqs://sqs.us-east-1.amazonaws.com/1/q?region=us-east-1&endpoint=http://u:xxxxx@localhost:9324") {
		t.Errorf("exit %d, want 0 and the URL without its password:\n%s", code, out)
	}
}
