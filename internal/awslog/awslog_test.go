package awslog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

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
