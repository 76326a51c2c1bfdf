package daemon

import (
	"sync"
	"time"
)

// saidEvery keeps a log line per reason to one every dropSaidEvery, as
// dropped does for the events' malformed messages: a sender that posts
// unsigned, oversized or bad bodies in a loop (the first two need no
// secret, so anyone can) should show in the log, not fill it. Unlike
// dropped's, it is called from concurrent HTTP handlers.
type saidEvery struct {
	mu   sync.Mutex
	said map[string]*dropSaid
}

// due says whether reason is to be logged above debug level at now, and how
// many times it went unsaid since it last was.
func (s *saidEvery) due(reason string, now time.Time) (due bool, since int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	last := s.said[reason]
	if last != nil && now.Sub(last.at) < dropSaidEvery {
		last.since++
		return false, 0
	}
	if s.said == nil {
		s.said = map[string]*dropSaid{}
	}
	s.said[reason] = &dropSaid{at: now}
	if last != nil {
		since = last.since
	}
	return true, since
}

// refusedBody logs a delivery answered 400, 401 or 413: a WARN with the reason,
// why in words and the sender's address, each reason at most once every
// dropSaidEvery (the others at debug level, counted in more_since).
func (d *Daemon) refusedBody(reason, why, remote string) {
	args := []any{"reason", reason, "why", why, "remote", remote}
	due, since := d.webhookSaid.due(reason, d.deps.Now())
	if !due {
		d.log.Debug("webhook refused", args...)
		return
	}
	if since > 0 {
		args = append(args, "more_since", since)
	}
	d.log.Warn("webhook refused", append(args, "said_again_after", dropSaidEvery)...)
}
