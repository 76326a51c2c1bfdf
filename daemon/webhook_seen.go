package daemon

import (
	"sync"

	"github.com/synctrack/synctrack/warehouse"
)

// seenRuns are the runs the latest sync.completed deliveries named, at
// most seenRunsMax of them, oldest forgotten first. The handler says a
// run's first delivery at INFO and its repeats at DEBUG: at DEBUG only,
// a delivery for a run no target's bucket has (a webhook ahead of the
// files, a bucket or prefix set wrong) left nothing at INFO, each target
// saying "nothing in this bucket" at DEBUG; at INFO every time, a
// sender's retries flooded the log (both found by reviews).
type seenRuns struct {
	mu    sync.Mutex
	set   map[warehouse.RunRef]bool
	order []warehouse.RunRef
}

const seenRunsMax = 4096

// first notes r and says whether it was not among the runs seen.
func (s *seenRuns) first(r warehouse.RunRef) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set[r] {
		return false
	}
	if s.set == nil {
		s.set = map[warehouse.RunRef]bool{}
	}
	if len(s.order) == seenRunsMax {
		delete(s.set, s.order[0])
		s.order = s.order[1:]
	}
	s.set[r] = true
	s.order = append(s.order, r)
	return true
}
