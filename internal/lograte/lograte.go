// Package lograte keeps a log line that repeats (a warning the AWS SDK gives
// at every credentials lookup, a notification filter that sends a message
// per object, a sender posting bad webhook bodies in a loop) to one line per
// key every period at its level: the log should say it, not be it. The
// repeats go to debug, and the next line at its level counts them.
package lograte

import (
	"sync"
	"time"
)

// maxKeys bounds the keys remembered: past it, all are forgotten (and each
// is said again once).
const maxKeys = 100

// Limiter says when a line is due at its level. Its zero value is ready,
// and it is safe for concurrent use (HTTP handlers call it).
type Limiter struct {
	mu   sync.Mutex
	last map[string]*seen
}

type seen struct {
	at    time.Time
	since int
}

// Due says whether the line of key is to be logged at its level at now (it
// was not within every), else at debug (counted), and how many of its lines
// went to debug since it last was logged at its level.
func (l *Limiter) Due(key string, now time.Time, every time.Duration) (due bool, since int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	last := l.last[key]
	if last != nil && now.Sub(last.at) < every {
		last.since++
		return false, 0
	}
	if last != nil {
		since = last.since
	}
	if l.last == nil || len(l.last) >= maxKeys {
		l.last = map[string]*seen{}
	}
	l.last[key] = &seen{at: now}
	return true, since
}
