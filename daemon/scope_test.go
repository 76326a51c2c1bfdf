package daemon

import (
	"fmt"
	"testing"

	"gocloud.dev/pubsub"
)

// A scope given back by failed cycles and merged again on every retry
// names each reason once.
func TestScopeWhyNamesEachReasonOnce(t *testing.T) {
	back := scope{facts: true, why: "facts"}
	back.merge(scope{runs: true, why: "runs"})
	back.merge(scope{why: "webhook"})
	for range 5 {
		s := scope{runs: true, why: "runs"}
		s.merge(back)
		back = s
	}
	if back.why != "runs+facts+webhook" {
		t.Errorf("why %q, want runs+facts+webhook", back.why)
	}
}

// A message that waits for a folder that cannot be listed comes back every
// visibility timeout; its copies are bounded, the newest kept (SQS deletes
// by the newest receipt), and it counts as one delivery.
func TestScopeKeepsTheNewestCopies(t *testing.T) {
	var s scope
	var last *pubsub.Message
	for i := range 1000 {
		last = &pubsub.Message{LoggableID: fmt.Sprint(i)}
		s.addEvents([]delivery{{msg: last, key: "sync_tracking_datasets/o/s/r/records_1.parquet"}})
	}
	if len(s.events) != 1 {
		t.Fatalf("%d deliveries, want 1", len(s.events))
	}
	ms := s.events[0].messages()
	if len(ms) != maxCopies+1 || ms[len(ms)-1] != last || ms[0].LoggableID != "0" {
		t.Fatalf("kept %d messages (first %s, newest kept %v), want the first and the %d newest",
			len(ms), ms[0].LoggableID, ms[len(ms)-1] == last, maxCopies)
	}
}
