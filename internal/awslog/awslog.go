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
	said *said
}

// said is when each warning was last logged at warn level, and how many
// times it came since.
type said struct {
	mu   sync.Mutex
	now  func() time.Time
	last map[string]*seen
}

type seen struct {
	at    time.Time
	since int
}

// maxTexts bounds the warnings remembered: past it, all are forgotten (and
// each is said again once).
const maxTexts = 100

// byLog is the record of warnings said of each slog.Logger the Loggers
// write to: a failing subscription is opened again (with a new SDK
// configuration, and Logger) at each retry, writing to the same log.
var byLog sync.Map // *slog.Logger -> *said

// New is a Logger writing to log.
func New(log *slog.Logger) Logger {
	s, _ := byLog.LoadOrStore(log, &said{now: time.Now})
	return Logger{log: log, said: s.(*said)}
}

func (l Logger) Logf(c logging.Classification, format string, v ...any) {
	text := "aws sdk: " + fmt.Sprintf(format, v...)
	if c != logging.Warn {
		l.log.Debug(text)
		return
	}
	if again, more := l.said.warn(text); again {
		l.log.Debug(text)
	} else if more > 0 {
		l.log.Warn(text, "more_since", more, "said_again_after", SaidEvery)
	} else {
		l.log.Warn(text)
	}
}

// warn says whether text was logged at warn level within SaidEvery (then
// it is a repeat, counted), else how many repeats came since it last was.
func (s *said) warn(text string) (again bool, more int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if w := s.last[text]; w != nil && now.Sub(w.at) < SaidEvery {
		w.since++
		return true, 0
	} else if w != nil {
		more = w.since
	}
	if s.last == nil || len(s.last) >= maxTexts {
		s.last = map[string]*seen{}
	}
	s.last[text] = &seen{at: now}
	return false, more
}

var _ logging.Logger = Logger{}
