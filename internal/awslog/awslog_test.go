package awslog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/logging"
)

// A Warn line is a warning; the SDK's Debug lines (request and retry logs,
// when asked for) stay below the default level.
func TestLevels(t *testing.T) {
	var buf bytes.Buffer
	l := New(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	l.Logf(logging.Warn, "Response has no supported checksum. %s", "Not validating response payload.")
	l.Logf(logging.Debug, "retrying %d", 2)
	got := buf.String()
	for _, want := range []string{
		`level=WARN msg="aws sdk: Response has no supported checksum. Not validating response payload."`,
		`level=DEBUG msg="aws sdk: retrying 2"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %s in:\n%s", want, got)
		}
	}
}

// The SDK repeats a warning at every credentials lookup (IMDSv1's, at each
// retry of a failing subscription): it is a WARN once every SaidEvery, the
// repeats at debug, and the next WARN counts them.
func TestRepeatedWarningsSaidOnce(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	l := New(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	l.now = func() time.Time { return now }
	// Each opening of a subscription makes a Logger: those of one log share
	// what was said.
	other := slog.New(slog.DiscardHandler)
	if New(slog.Default()).said != New(slog.Default()).said || New(other).said == New(slog.Default()).said {
		t.Error("Loggers of one log keep apart what each said (a reopened subscription's would warn again), or those of two logs share it")
	}
	const imds = "falling back to IMDSv1: %v"
	for range 3 {
		l.Logf(logging.Warn, imds, "operation error ec2imds")
	}
	l.Logf(logging.Warn, "another warning")
	now = now.Add(SaidEvery)
	l.Logf(logging.Warn, imds, "operation error ec2imds")
	got := buf.String()
	if n := strings.Count(got, `level=WARN msg="aws sdk: falling back to IMDSv1`); n != 2 {
		t.Errorf("%d WARN lines of the repeated warning, want 2 (the first, and the first after %s):\n%s", n, SaidEvery, got)
	}
	if n := strings.Count(got, `level=DEBUG msg="aws sdk: falling back to IMDSv1`); n != 2 {
		t.Errorf("%d DEBUG lines of its repeats, want 2:\n%s", n, got)
	}
	if !strings.Contains(got, "more_since=2") || !strings.Contains(got, `level=WARN msg="aws sdk: another warning"`) {
		t.Errorf("want the second WARN to count 2 repeats, and another warning said:\n%s", got)
	}
}
