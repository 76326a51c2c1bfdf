// Package awslog hands the AWS SDK's log lines to slog. Left to itself the
// SDK prints plain "SDK <time> WARN ..." lines on stderr (the IMDSv1
// fallback on a credentials lookup, a response without a checksum from an
// S3-compatible server), unlevelled and in the middle of a --log-format
// json stream. Every SDK configuration synctrack loads passes
// config.WithLogger(awslog.New(log)).
package awslog

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/smithy-go/logging"

	"github.com/synctrack/synctrack/internal/lograte"
)

// SaidEvery is how often one warning of the SDK's is logged at warn level:
// it repeats one on every credentials lookup or response (the IMDSv1
// fallback came at every retry of a failing subscription, found by a user
// audit), and the log should say it, not be it. The repeats go to debug,
// and the next warn line counts them.
const SaidEvery = 10 * time.Minute

// Logger is a logging.Logger writing to a slog.Logger: the SDK's Warn lines
// at warn, each text at most once every SaidEvery, everything else (its
// Debug, and request logs if asked for) at debug.
type Logger struct {
	log  *slog.Logger
	said *lograte.Limiter
	now  func() time.Time
}

// byLog is the record of warnings said of each slog.Logger the Loggers
// write to: a failing subscription is opened again (with a new SDK
// configuration, and Logger) at each retry, writing to the same log.
var byLog sync.Map // *slog.Logger -> *lograte.Limiter

// New is a Logger writing to log.
func New(log *slog.Logger) Logger {
	s, _ := byLog.LoadOrStore(log, new(lograte.Limiter))
	return Logger{log: log, said: s.(*lograte.Limiter), now: time.Now}
}

func (l Logger) Logf(c logging.Classification, format string, v ...any) {
	text := "aws sdk: " + fmt.Sprintf(format, v...)
	if c != logging.Warn {
		l.log.Debug(text)
		return
	}
	switch due, more := l.said.Due(text, l.now(), SaidEvery); {
	case !due:
		l.log.Debug(text)
	case more > 0:
		l.log.Warn(text, "more_since", more, "said_again_after", SaidEvery)
	default:
		l.log.Warn(text)
	}
}

var _ logging.Logger = Logger{}
