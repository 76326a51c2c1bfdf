package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An empty secret turns POST /webhook off, so a secret that was set yet is
// empty or blank is bad usage (exit 2) in --check as at start, naming the
// file; --check and the start log say whether the webhook is on.
func TestRunCheckWebhookSecret(t *testing.T) {
	t.Setenv("SYNCTRACK_WEBHOOK_SECRET", "")
	os.Unsetenv("SYNCTRACK_WEBHOOK_SECRET") // restored by Setenv's cleanup
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty, blank, good := file("empty", ""), file("blank", " \n\t\r\n"), file("good", "s3cret\n")
	base := []string{"run", "--bucket", "file://" + dir, "--warehouse", "duckdb://./w.duckdb", "--listen", "127.0.0.1:0", "--check"}

	for _, p := range []string{empty, blank} {
		code, out, errs := runCLIAll(t, append(base, "--webhook-secret-file", p)...)
		if code != 2 || !strings.Contains(errs, "webhook secret file "+p+" is empty or blank") {
			t.Errorf("%s: exit %d, want 2 naming the file:\n%s%s", filepath.Base(p), code, out, errs)
		}
	}
	for v, says := range map[string]string{"": "SYNCTRACK_WEBHOOK_SECRET is set but empty", "  \n": "empty or blank"} {
		t.Setenv("SYNCTRACK_WEBHOOK_SECRET", v)
		if code, out, errs := runCLIAll(t, base...); code != 2 || !strings.Contains(errs, says) {
			t.Errorf("SYNCTRACK_WEBHOOK_SECRET=%q: exit %d, want 2 saying %q:\n%s%s", v, code, says, out, errs)
		}
	}
	os.Unsetenv("SYNCTRACK_WEBHOOK_SECRET")
	if code, out, errs := runCLIAll(t, append(base, "--webhook-secret", " ")...); code != 2 {
		t.Errorf("--webhook-secret ' ': exit %d, want 2:\n%s%s", code, out, errs)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--webhook-secret-file", good}, "webhook on POST /webhook"},
		{nil, "webhook off: no secret"},
		{[]string{"--webhook-secret-file", good, "--listen", ""}, "webhook off: no --listen"},
	} {
		code, out := runCLI(t, append(base, c.args...)...)
		if code != 0 || !strings.Contains(out, c.want+"\nconfig ok") {
			t.Errorf("%v: exit %d, want 0 and %q:\n%s", c.args, code, c.want, out)
		}
	}
}

// The daemon logs once at start whether the webhook takes deliveries.
func TestRunLogsWebhookState(t *testing.T) {
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--files", "1", "--rows", "10")
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := startDaemon(t, "--bucket", "file://"+bucket, "--warehouse", "duckdb://"+filepath.Join(t.TempDir(), "w.duckdb"),
		"--schedule", "@every 1h", "--listen", "127.0.0.1:0", "--webhook-secret-file", secret)
	c.waitLog(t, "webhook on POST /webhook")
	if code := c.stop(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM", code)
	}
}
