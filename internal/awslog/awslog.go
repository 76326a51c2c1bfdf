// Package awslog hands the AWS SDK's log lines to slog. Left to itself the
// SDK prints plain "SDK <time> WARN ..." lines on stderr (the IMDSv1
// fallback on a credentials lookup, a response without a checksum from an
// S3-compatible server), unlevelled and in the middle of a --log-format
// json stream. Every SDK configuration synctrack loads passes
// config.WithLogger(awslog.New(log)).
package awslog

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/smithy-go/logging"
)

// Logger is a logging.Logger writing to a slog.Logger: the SDK's Warn lines
// at warn, everything else (its Debug, and request logs if asked for) at debug.
type Logger struct{ log *slog.Logger }

// New is a Logger writing to log.
func New(log *slog.Logger) Logger { return Logger{log} }

func (l Logger) Logf(c logging.Classification, format string, v ...any) {
	level := slog.LevelDebug
	if c == logging.Warn {
		level = slog.LevelWarn
	}
	l.log.Log(context.Background(), level, "aws sdk: "+fmt.Sprintf(format, v...))
}

var _ logging.Logger = Logger{}
